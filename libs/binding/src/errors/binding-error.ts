import { FAILURES, type ErrorCode, type FailureType } from './failure-type.js';

export interface BindingErrorOptions {
  /** The underlying error, kept for logs; never shown to a client. */
  readonly cause?: unknown;
  /** A fresh `DPoP-Nonce` to hand the client with a `use_dpop_nonce` answer (RFC 9449 §8). */
  readonly nonce?: string;
  /** The scope a `403 insufficient_scope` needs (RFC 6750 §3.1). */
  readonly scope?: string;
}

/**
 * A protocol failure: the request is refused with one failure type and the RFC error value the
 * type maps to. The description is shown to the client, so it must never hold token, proof or
 * key material: name the check, not the data.
 */
export class BindingError extends Error {
  readonly type: FailureType;
  readonly code: ErrorCode;
  readonly status: 400 | 401 | 403 | 503;
  readonly nonce: string | undefined;
  readonly scope: string | undefined;

  constructor(type: FailureType, description: string, options: BindingErrorOptions = {}) {
    super(description, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BindingError';
    this.type = type;
    this.code = FAILURES[type].code;
    this.status = FAILURES[type].status;
    this.nonce = options.nonce;
    this.scope = options.scope;
  }
}

/** A configuration or programming mistake: thrown at start-up, never sent to a client. */
export class BindingConfigError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BindingConfigError';
  }
}
