import { digestEquals, sha256Base64url } from '../crypto/digest.js';
import { BindingError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';

/**
 * The message headers a hop proof covers besides the Hop-Token (`ath`): the W3C Trace Context
 * (https://www.w3.org/TR/trace-context/ §3.2 `traceparent`, §3.3 `tracestate`), lower-case. The
 * receiver looks for exactly these; the sender sends no other.
 */
export const COVERED_HEADERS: readonly string[] = Object.freeze(['traceparent', 'tracestate']);
/** A covered header longer than this is refused before it is hashed (tracestate: 32 members of 256). */
export const MAX_COVERED_HEADER_LENGTH = 8192; // characters

/** Every value received of each covered header, by lower-case name; absent or empty for none. */
export type CoveredHeaderValues = Readonly<Record<string, readonly string[] | undefined>>;

/**
 * The `oth` claim of a hop proof for the covered headers to be sent: `{ name: base64url(SHA-256(
 * value)) }`, after the WIMSE Workload Proof Token (draft-ietf-wimse-wpt-02 §2, `oth`: "Hash(es)
 * of other token(s) in the request", a JSON object keyed by the header field name in lower case;
 * see libs/binding/docs/standards.md for where this profile differs). Undefined when none
 * is sent, so a proof without trace context carries no `oth`. Throws a TypeError for a name that is
 * not covered or an empty or oversized value: the caller's mistake, not the peer's.
 */
export function otherTokenHashes(headers: Readonly<Record<string, string>> | undefined): Record<string, string> | undefined {
  if (headers === undefined) return undefined;
  const names = Object.keys(headers);
  if (names.length === 0) return undefined;
  const oth: Record<string, string> = {};
  for (const name of names) {
    const value = headers[name];
    if (!COVERED_HEADERS.includes(name)) throw new TypeError(`hop proof cannot cover the header ${name}`);
    if (typeof value !== 'string' || value.length === 0 || value.length > MAX_COVERED_HEADER_LENGTH) {
      throw new TypeError(`hop proof covered header ${name} must be a non-empty string of at most ${MAX_COVERED_HEADER_LENGTH} characters`);
    }
    oth[name] = sha256Base64url(value);
  }
  return oth;
}

/**
 * O2, H7 for the trace context: the covered headers the message carries are exactly those the
 * proof's `oth` hashes, with the same values, so nothing between two workloads (the broker, a
 * compromised relay) can splice a request into another trace or hide it from one:
 * 1. each covered header appears at most once (two `traceparent` values would leave the choice to
 *    whoever reads them, as RFC 9449 §4.3 (1) rules out for DPoP);
 * 2. a covered header that was sent is hashed in `oth`, and the hash matches (constant time): one
 *    changed after signing, or added to a message signed without it, fails;
 * 3. every member of `oth` names a covered header that was sent: one removed after signing fails,
 *    and a member this receiver does not understand cannot be checked, so it fails too
 *    (draft-ietf-wimse-wpt: the recipient verifies each hash it is given).
 * A message without trace context whose proof has no `oth` passes. Fails with TraceContextMismatch.
 * Does not parse the trace context: whoever exports it does, after this check passed.
 */
export function checkOtherTokenHashes(oth: Readonly<Record<string, string>> | undefined, received: CoveredHeaderValues | undefined): void {
  const hashes = oth ?? {};
  for (const name of COVERED_HEADERS) {
    const values = received?.[name] ?? [];
    if (values.length > 1) throw new BindingError(FailureType.TraceContextMismatch, `more than one ${name} header`);
    const expected = hashes[name];
    if (values.length === 0) {
      if (expected !== undefined) throw new BindingError(FailureType.TraceContextMismatch, `hop proof covers a ${name} header the message lacks`);
      continue;
    }
    const value = values[0]!;
    if (expected === undefined) throw new BindingError(FailureType.TraceContextMismatch, `${name} header is not covered by the hop proof`);
    if (value.length > MAX_COVERED_HEADER_LENGTH || !digestEquals(expected, sha256Base64url(value))) {
      throw new BindingError(FailureType.TraceContextMismatch, `${name} header does not match the hop proof`);
    }
  }
  for (const name of Object.keys(hashes)) {
    if (!COVERED_HEADERS.includes(name)) throw new BindingError(FailureType.TraceContextMismatch, 'hop proof oth names a header this service does not check');
  }
}
