import canonicalizeModule from 'canonicalize';
import { sha256Base64url } from '../crypto/digest.js';

// canonicalize 2.1 is CommonJS (`module.exports = serialize`) while its typings declare an ES
// default export; under nodenext the default import is `module.exports` itself, i.e. the
// function, so the typings are corrected here rather than calling a `.default` that does not exist.
const canonicalize = canonicalizeModule as unknown as (input: unknown) => string | undefined;

/**
 * `pdh` (ARCHITECTURE "Internal hops"): base64url(SHA-256(UTF-8 of the RFC 8785 canonical JSON of
 * the payload)). RFC 8785 §3.2: "sorting of object properties", numbers serialised as ECMAScript
 * does, no whitespace; so sender and receiver agree whatever order their JSON encoders chose.
 *
 * An `undefined` payload (a request without data) is hashed as the canonical JSON `null`: on the
 * wire JSON cannot tell the two apart, so the sender's `undefined` arrives as `null` or absent and
 * both sides must hash the same. Members whose value is `undefined` are dropped and array holes
 * become `null`, as JSON.stringify does.
 *
 * Throws a TypeError for a value JSON cannot carry (NaN, Infinity, BigInt): a programming mistake
 * at the sender; the hop verifier turns it into PayloadHashMismatch. Does not accept functions or
 * symbols nested in objects as absent (canonicalize renders them as `undefined`): payloads are JSON
 * data, and such a value fails the comparison rather than matching by accident.
 * Does not compare the hash: checkPayloadHash does.
 */
export function payloadHash(payload: unknown): string {
  let canonical: string | undefined;
  try {
    canonical = canonicalize(payload === undefined ? null : payload);
  } catch (cause) {
    throw new TypeError('payload is not representable as JSON', { cause });
  }
  if (canonical === undefined) {
    throw new TypeError('payload is not representable as JSON');
  }
  return sha256Base64url(canonical);
}
