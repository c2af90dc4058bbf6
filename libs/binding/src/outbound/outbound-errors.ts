/** Which request of an outbound call failed: the exchange at the STS, or the call itself. */
export type OutboundStage = 'exchange' | 'call';

/**
 * Why nobody answered usefully: no reply in time, the connection to the broker is down, nobody
 * serves the subject (the broker's "no responders"), the callee answered 503, or the transport
 * failed in another way. All are worth retrying later; none says anything about the request.
 */
export type UnavailableReason = 'timeout' | 'disconnected' | 'no_responders' | 'remote_unavailable' | 'transport';

/**
 * The callee (or the STS) could not be reached or answer in time. Maps to 503 with Retry-After at
 * the edge. Holds no token, proof or payload; `cause` keeps the transport's error for logs.
 */
export class OutboundUnavailableError extends Error {
  readonly stage: OutboundStage;
  readonly subject: string;
  readonly reason: UnavailableReason;

  constructor(stage: OutboundStage, subject: string, reason: UnavailableReason, options?: { cause?: unknown }) {
    super(`${stage} on ${subject} is unavailable (${reason})`, options);
    this.name = 'OutboundUnavailableError';
    this.stage = stage;
    this.subject = subject;
    this.reason = reason;
  }
}

/**
 * The callee (or the STS) answered with an error reply: `{ code, type, status }` as the binding
 * guard (H13), the STS (RFC 8693 §2.2.2) or a handler sent it. `code` is the RFC error value (or a
 * handler's own, e.g. `not_found`), `type` the failure type when the refusal names one. These are
 * internal details: log them, and never hand them to an external client as they are.
 */
export class OutboundRefusedError extends Error {
  readonly stage: OutboundStage;
  readonly subject: string;
  readonly code: string;
  readonly type: string | undefined;
  readonly status: number;

  constructor(stage: OutboundStage, subject: string, refusal: { code: string; type: string | undefined; status: number }) {
    super(`${stage} on ${subject} was refused: ${refusal.code}${refusal.type === undefined ? '' : ` (${refusal.type})`}`);
    this.name = 'OutboundRefusedError';
    this.stage = stage;
    this.subject = subject;
    this.code = refusal.code;
    this.type = refusal.type;
    this.status = refusal.status;
  }
}
