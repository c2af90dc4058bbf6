import { isCanonicalBase64url } from '../crypto/canonical-base64url.js';
import { BindingError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import type { PopProfile } from './pop-profile.js';

/** The three base64url segments of a JWS in compact serialization (RFC 7515 §7.1). */
export interface CompactJwsSegments {
  readonly header: string;
  readonly payload: string;
  readonly signature: string;
}

/** RFC 7515 §2 base64url "with all trailing '=' characters omitted", nothing else. */
const BASE64URL = /^[A-Za-z0-9_-]+$/;
/** A malformed UTF-8 sequence throws instead of turning into U+FFFD (the JSON is then refused). */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * E6, H2: a proof is one JWS in compact serialization (RFC 9449 §4.3 (2) "the DPoP HTTP request
 * header field value is a single well-formed JWT"; ARCHITECTURE "Internal hops" for a hop proof),
 * three non-empty base64url segments. Five segments are a JWE (RFC 7516 §7.1), refused and named
 * so; the JSON serializations (RFC 7515 §7.2) are not three segments of this alphabet either. The
 * signature must be spelled canonically (isCanonicalBase64url): the same proof under another
 * spelling is refused here, before any work, not later as a replay.
 * Does not decode anything or look at the header: decodePopHeader does.
 */
export function splitCompactJws(proof: string, profile: PopProfile): CompactJwsSegments {
  const segments = proof.split('.');
  if (segments.length === 5) throw new BindingError(FailureType.MalformedProof, `${profile.name} is a JWE, not a JWS`);
  if (segments.length !== 3) throw new BindingError(FailureType.MalformedProof, `${profile.name} is not a compact JWS`);
  const [header, payload, signature] = segments as [string, string, string];
  if (!BASE64URL.test(header) || !BASE64URL.test(payload) || !BASE64URL.test(signature)) {
    throw new BindingError(FailureType.MalformedProof, `${profile.name} segment is empty or not base64url`);
  }
  if (!isCanonicalBase64url(signature)) {
    throw new BindingError(FailureType.MalformedProof, `${profile.name} signature is not in canonical base64url`);
  }
  return { header, payload, signature };
}

/**
 * Decodes UTF-8 JSON text that must be an object (RFC 7515 §4 JOSE header, RFC 7519 §7.2 claims).
 * Arrays, primitives, invalid UTF-8 or invalid JSON are `MalformedProof`; `what` names the part.
 * Does not check any member: the callers do.
 */
export function parseJsonObject(bytes: Uint8Array, what: string, profile: PopProfile): Readonly<Record<string, unknown>> {
  let value: unknown;
  try {
    value = JSON.parse(strictUtf8.decode(bytes));
  } catch (cause) {
    throw new BindingError(FailureType.MalformedProof, `${profile.name} ${what} is not valid JSON`, { cause });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new BindingError(FailureType.MalformedProof, `${profile.name} ${what} is not a JSON object`);
  }
  return value as Readonly<Record<string, unknown>>;
}

/** base64url text already matched by BASE64URL above, to bytes. */
export function decodeSegment(segment: string): Uint8Array {
  return Buffer.from(segment, 'base64url');
}
