import type { BindingError } from '../errors/binding-error.js';
import { toHopMapping } from '../errors/failure-type.js';
import { COVERED_HEADERS, type CoveredHeaderValues } from '../hop/check-other-token-hashes.js';
import type { TraceContextHeaders } from '../observe/binding-observer.js';
import { HOP_PROOF_HEADER, HOP_TOKEN_HEADER } from '../hop/hop-header-names.js';
import type { HopRequest } from '../hop/verify-hop-proof.js';
import type { BindingPolicy } from './binding-policy.js';


/** The parts of Nest's NatsContext the guard reads; nats.js MsgHdrs has `keys` and `values`. */
export interface NatsContextLike {
  getSubject(): string;
  getHeaders(): { keys(): string[]; values(key: string): string[] } | undefined;
}

/**
 * Every value of a header, whatever the case of its name: NATS header names are case-sensitive
 * on the wire, so `hop-token` beside `Hop-Token` would otherwise slip past H1's "exactly one".
 */
function valuesOf(headers: ReturnType<NatsContextLike['getHeaders']>, name: string): string[] | undefined {
  if (headers === undefined) return undefined;
  const wanted = name.toLowerCase();
  return headers.keys().filter((key) => key.toLowerCase() === wanted).flatMap((key) => headers.values(key));
}

/**
 * Every `Hop-Proof` value of a NATS message, whatever the case of the header name (H1 counts them):
 * for a handler that checks its caller's proof itself, as the STS does (createCallerProofVerifier).
 */
export function hopProofValuesOf(context: NatsContextLike): string[] | undefined {
  return valuesOf(context.getHeaders(), HOP_PROOF_HEADER);
}

/**
 * Every value of each header the hop proof covers (the W3C trace context, COVERED_HEADERS), by
 * lower-case name, whatever the case on the wire: the proof check (`oth`) counts and compares them.
 */
export function coveredHeaderValuesOf(context: NatsContextLike): CoveredHeaderValues {
  const headers = context.getHeaders();
  const values: Record<string, string[] | undefined> = {};
  for (const name of COVERED_HEADERS) values[name] = valuesOf(headers, name);
  return values;
}

/**
 * What a NATS message carries for createCallerProofVerifier, for a handler that checks its caller's
 * proof itself, as the STS does: the subject being handled, every `Hop-Proof` value (H1 counts
 * them) and every value of each covered header (O2, `oth`), whatever the case of the names. The
 * rest of the request (the token the proof's `ath` covers, the payload) is the handler's to add.
 * Does not look inside any value: the verifier does.
 */
export function callerProofRequestOf(context: NatsContextLike): { subject: string; proof: string[] | undefined; covered: CoveredHeaderValues } {
  return { subject: context.getSubject(), proof: hopProofValuesOf(context), covered: coveredHeaderValuesOf(context) };
}

/** The trace context of a message whose proof check passed, one value of each, for the observer. */
export function traceContextOf(values: CoveredHeaderValues): TraceContextHeaders | undefined {
  const traceparent = values['traceparent']?.[0];
  if (traceparent === undefined) return undefined;
  const tracestate = values['tracestate']?.[0];
  return tracestate === undefined ? { traceparent } : { traceparent, tracestate };
}

export function toHopRequest(context: NatsContextLike, payload: unknown, policy: BindingPolicy): HopRequest {
  const headers = context.getHeaders();
  return {
    subject: context.getSubject(),
    headers: { token: valuesOf(headers, HOP_TOKEN_HEADER), proof: valuesOf(headers, HOP_PROOF_HEADER) },
    covered: coveredHeaderValuesOf(context),
    payload,
    policy: { audience: policy.audience, callers: policy.callers, scopes: policy.scopes },
  };
}

/** The error reply of H13: the RFC error value and the failure type, never token material. */
export interface HopRefusal {
  readonly code: string;
  readonly type: string;
  readonly status: number;
  readonly message: string;
}

export function toHopRefusal(error: BindingError): HopRefusal {
  const { code, status } = toHopMapping(error.type);
  return { code, type: error.type, status, message: error.message };
}
