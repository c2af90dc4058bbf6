import { BindingError, FAILURES, type ErrorCode, type FailureType } from '#binding';

/**
 * Where in the exchange a check failed. The same failure type means different things to the
 * caller depending on whose credential it concerns: an expired certificate in the caller's proof
 * is the caller's authentication failing (invalid_client), an expired subject token is the grant
 * failing (invalid_grant).
 */
export type ExchangeStage = 'request' | 'caller' | 'policy' | 'subject' | 'scope' | 'replay';

/** The error reply on `sts.exchange` (H13 shape): RFC error value, failure type, status, description. */
export interface ExchangeErrorReply {
  readonly code: ErrorCode;
  readonly type: FailureType;
  readonly status: 400 | 401 | 403 | 503;
  readonly message: string;
}

/** A refused exchange: the stage and the BindingError of the check that failed. */
export class ExchangeRefusal extends Error {
  readonly stage: ExchangeStage;
  readonly error: BindingError;

  constructor(stage: ExchangeStage, error: BindingError) {
    super(error.message, { cause: error });
    this.name = 'ExchangeRefusal';
    this.stage = stage;
    this.error = error;
  }

  /**
   * RFC 8693 §2.2.2 and RFC 6749 §5.2, by stage:
   * - a dependency that cannot answer (key set, replay store): temporarily_unavailable, 503, retry;
   * - `request`: invalid_request (or invalid_scope for a malformed scope);
   * - `caller` and `replay`: invalid_client (401): "Client authentication failed"; the hop proof is
   *   the caller's authentication;
   * - `policy`: unauthorized_client ("not authorized to use this authorization grant type") or
   *   invalid_target (RFC 8693: "unwilling or unable to issue a token for any target service");
   * - `subject`: invalid_grant: the subject token is the grant, and RFC 6749 §5.2 names a grant that
   *   is "invalid, expired, revoked" so. (RFC 8693 §2.2.2 allows invalid_request here; the more
   *   specific value tells a caller its request was well formed but the token is no longer good.)
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
        return { code: 'invalid_grant', type, status: 400, message };
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
