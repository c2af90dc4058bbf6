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

type MessageHeaders = ReturnType<NatsContextLike['getHeaders']>;

const TOKEN = HOP_TOKEN_HEADER.toLowerCase();
const PROOF = HOP_PROOF_HEADER.toLowerCase();
/** Every header a hop's checks read, by lower-case name. */
const HOP_HEADERS: readonly string[] = Object.freeze([TOKEN, PROOF, ...COVERED_HEADERS]);

/**
 * Every value of each wanted header (lower-case names), whatever the case of the name on the wire:
 * NATS header names are case-sensitive there, so `hop-token` beside `Hop-Token` would otherwise
 * slip past H1's "exactly one". One pass over the message's header names, in their order;
 * `undefined` for a message without headers, an empty list for a header it does not carry.
 */
function valuesByName(headers: MessageHeaders, wanted: readonly string[]): Record<string, string[]> | undefined {
  if (headers === undefined) return undefined;
  const found: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  for (const name of wanted) found[name] = [];
  for (const key of headers.keys()) {
    const values = found[key.toLowerCase()];
    if (values !== undefined) values.push(...headers.values(key));
  }
  return found;
}

function coveredOf(found: Record<string, string[]> | undefined): CoveredHeaderValues {
  const covered: Record<string, string[] | undefined> = {};
  for (const name of COVERED_HEADERS) covered[name] = found?.[name];
  return covered;
}

/**
 * Every `Hop-Proof` value of a NATS message, whatever the case of the header name (H1 counts them):
 * for a handler that checks its caller's proof itself, as the STS does (createCallerProofVerifier).
 */
export function hopProofValuesOf(context: NatsContextLike): string[] | undefined {
  return valuesByName(context.getHeaders(), [PROOF])?.[PROOF];
}

/**
 * Every value of each header the hop proof covers (the W3C trace context, COVERED_HEADERS), by
 * lower-case name, whatever the case on the wire: the proof check (`oth`) counts and compares them.
 */
export function coveredHeaderValuesOf(context: NatsContextLike): CoveredHeaderValues {
  return coveredOf(valuesByName(context.getHeaders(), COVERED_HEADERS));
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

/**
 * What the hop verifier checks of one NATS message: the headers read in one pass, the handler's
 * @Bound policy as declared (frozen; the verifier reads its audience, callers and scopes only),
 * and `sender`, which the verifier fills in once the certificate is validated (O1, O3).
 */
export function toHopRequest(context: NatsContextLike, payload: unknown, policy: BindingPolicy, sender: NonNullable<HopRequest['sender']>): HopRequest {
  const found = valuesByName(context.getHeaders(), HOP_HEADERS);
  return {
    subject: context.getSubject(),
    headers: { token: found?.[TOKEN], proof: found?.[PROOF] },
    covered: coveredOf(found),
    payload,
    policy,
    sender,
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
