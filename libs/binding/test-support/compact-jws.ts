// Test support only (never imported by library code, never packed): compact JWS text built by
// hand, for what a real signer never writes (any header, any claims text, a key that does not fit
// the header) and for the bench's pre-signed pools. Signed with node:crypto's one-shot `sign`,
// synchronously. Node only, so the bench compiles it too (bench/tsconfig.json).
import { sign, type KeyObject } from 'node:crypto';

export type CompactAlgorithm = 'ES256' | 'EdDSA';

/** One base64url JWS segment holding the JSON of `value`. */
export function base64urlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/**
 * `header.claims.signature` from two encoded segments, signed with `privateKey` under `alg`
 * whatever the header says (so a header `alg` that does not fit the key can be tested). ES256
 * signatures are IEEE P1363 (r || s), as RFC 7518 §3.4 requires.
 */
export function signCompact(headerSegment: string, claimsSegment: string, privateKey: KeyObject, alg: CompactAlgorithm = 'ES256'): string {
  const input = `${headerSegment}.${claimsSegment}`;
  const data = Buffer.from(input);
  const signature = alg === 'ES256' ? sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' }) : sign(null, data, privateKey);
  return `${input}.${signature.toString('base64url')}`;
}

/** A compact JWS built by hand, unsigned (its signature is junk): for checks that run before the signature. */
export function unsignedCompact(header: unknown, claims: unknown = {}, signature: string = 'c2lnbmF0dXJl'): string {
  return `${base64urlJson(header)}.${base64urlJson(claims)}.${signature}`;
}
