/**
 * The verified token a handler may exchange to call onward (RFC 8693 subject_token), held so it
 * cannot leak by accident: a private field, so JSON.stringify, console.log and util.inspect
 * print only the placeholder. Only the outbound client reads it, through `revealSubjectToken`.
 */
export class SubjectToken {
  readonly #token: string;
  /** RFC 8693 §3 token type URI: the edge holds the client's access token, services a JWT. */
  readonly type: string;
  readonly expiresAt: number;

  constructor(token: string, type: string, expiresAt: number) {
    this.#token = token;
    this.type = type;
    this.expiresAt = expiresAt;
  }

  toJSON(): string {
    return '[subject token]';
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return 'SubjectToken [redacted]';
  }

  /** @internal for the outbound client only. */
  static reveal(handle: SubjectToken): string {
    return handle.#token;
  }
}

export function revealSubjectToken(handle: SubjectToken): string {
  return SubjectToken.reveal(handle);
}
