import { BindingError, FAILURES, type FailureType } from '#binding/core';

/**
 * Where in the exchange a check failed. The same failure type means different things to the
 * caller depending on whose credential it concerns: an expired or revoked certificate behind the
 * caller's proof is the caller's authentication failing (invalid_client), an expired or revoked
 * subject token is the subject token being invalid (invalid_request, RFC 8693 §2.2.2).
 */
export type ExchangeStage = 'request' | 'caller' | 'policy' | 'subject' | 'scope' | 'replay';

/** The error reply on `sts.exchange` (H13 shape): RFC error value, failure type, status, description. */
export interface ExchangeErrorReply {
  readonly code: BindingError['code'];
  readonly type: FailureType;
  readonly status: 400 | 401 | 403 | 503;
  readonly message: string;
}

/**
 * Who sent a refused exchange, once known: the caller's certificate passed H3 (O1, O3). Identities,
 * a thumbprint and a hash only.
 */
export interface ExchangeSender {
  /** The caller's SPIFFE ID (`x5c[0]`). */
  readonly caller: string;
  /** `x5t#S256` of the caller's certificate. */
  readonly thumbprint: string;
  /** SHA-256 of the proof's `jti` (base64url), once the proof's claims were read. */
  readonly jtiHash?: string;
}

/** A refused exchange: the stage and the BindingError of the check that failed. */
export class ExchangeRefusal extends Error {
  readonly stage: ExchangeStage;
  readonly error: BindingError;
  /** Set by the exchange when the refusal came after the caller's certificate was validated. */
  sender: ExchangeSender | undefined;

  constructor(stage: ExchangeStage, error: BindingError) {
    super(error.message, { cause: error });
    this.name = 'ExchangeRefusal';
    this.stage = stage;
    this.error = error;
  }

  /**
   * RFC 8693 §2.2.2 and RFC 6749 §5.2, by stage:
   * - a dependency that cannot answer (key set, replay store, revocations): temporarily_unavailable,
   *   503, retry;
   * - `request`: the failure's own value. invalid_request: 'If the request itself is not valid [...]
   *   The value of the "error" parameter MUST be the "invalid_request" error code.' invalid_target
   *   for a `resource` or several audiences: 'If the authorization server is unwilling or unable to
   *   issue a token for any target service indicated by the "resource" or "audience" parameters, the
   *   "invalid_target" error code SHOULD be used in the error response.' invalid_scope for a
   *   malformed scope;
   * - `caller` and `replay`: invalid_client (401), RFC 6749 §5.2 "Client authentication failed". The
   *   hop proof, signed with the caller's certificate key, is the caller's authentication, so that
   *   certificate being revoked (H12) is this authentication failing too;
   * - `policy`: the failure's own value: unauthorized_client, RFC 6749 §5.2 "The authenticated client
   *   is not authorized to use this authorization grant type", or invalid_target (as above);
   * - `subject`: invalid_request (400), whatever check failed (signature, issuer, audience, lifetime,
   *   binding, revocation, or which caller may present which kind of token): 'if either the
   *   "subject_token" or "actor_token" are invalid for any reason, or are unacceptable based on
   *   policy, the authorization server MUST construct an error response [...]. The value of the
   *   "error" parameter MUST be the "invalid_request" error code.' Not invalid_grant: the MUST
   *   leaves no room for it;
   * - `scope`: invalid_scope.
   * The failure type is kept as it is, so logs and tests see which check failed.
   */
  toReply(): ExchangeErrorReply {
    const { type, message } = this.error;
    const mapped = FAILURES[type];
    if (mapped.status === 503) return { code: 'temporarily_unavailable', type, status: 503, message };
    switch (this.stage) {
      case 'caller':
      case 'replay':
        return { code: 'invalid_client', type, status: 401, message };
      case 'subject':
        return { code: 'invalid_request', type, status: 400, message };
      case 'scope':
        return { code: 'invalid_scope', type, status: 400, message };
      default:
        return { code: mapped.code, type, status: mapped.status, message };
    }
  }
}

/** Runs one stage; a BindingError becomes an ExchangeRefusal of that stage, anything else propagates. */
export async function atStage<T>(stage: ExchangeStage, step: () => T | Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof BindingError) throw new ExchangeRefusal(stage, error);
    throw error;
  }
}
