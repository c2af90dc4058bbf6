import { BindingError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import { MIN_RSA_MODULUS_BITS } from '../crypto/jws-signature.js';
import { keyPinOf, MAX_RSA_MODULUS_BITS } from './proof-algorithms.js';

/**
 * A public key reduced to the members RFC 7638 §3.2 requires for its `kty`: exactly what the
 * thumbprint hashes and what is imported, so the key checked, hashed and used is one and the same.
 */
export type PublicJwk =
  | { readonly kty: 'EC'; readonly crv: string; readonly x: string; readonly y: string }
  | { readonly kty: 'OKP'; readonly crv: string; readonly x: string }
  | { readonly kty: 'RSA'; readonly e: string; readonly n: string };

/** RFC 7518 §6.2.2, §6.3.2 and RFC 8037 §2 private members, and RFC 7518 §6.4.1 `k` (symmetric). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
/** An RSA public exponent of more than 64 bits is not a key anyone uses (65537 is 3 bytes). */
const MAX_RSA_EXPONENT_LENGTH = 11; // base64url characters (8 bytes)

/**
 * E9: the `jwk` header parameter (RFC 9449 §4.2: "MUST NOT contain a private key"; §4.3 (7) "the
 * `jwk` JOSE header parameter does not contain a private key"):
 * - an object holding none of `d`, `p`, `q`, `dp`, `dq`, `qi`, `oth` or `k`;
 * - its `kty` (and `crv`) the one `alg` is pinned to: ES256 to EC P-256, ES384 to P-384, ES512 to
 *   P-521, EdDSA to OKP Ed25519, PS and RS to RSA, so an algorithm is never run with a key of
 *   another kind;
 * - coordinates of the curve's full size (RFC 7518 §6.2.1.2); an RSA modulus of 2048 to 4096 bits
 *   (a smaller one is forgeable, a larger one costs the verifier for nothing).
 * Returns the required members only; `kid`, `use`, `key_ops`, `alg`, `x5c` and other members are
 * ignored (E10: unknown parameters are ignored, not rejected).
 * Does not check that the point is on the curve or that the key imports: importing it does.
 */
export function checkProofJwk(jwk: unknown, alg: string): PublicJwk {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) {
    throw new BindingError(FailureType.ProofKey, 'jwk header parameter is missing or not an object');
  }
  const members = jwk as Readonly<Record<string, unknown>>;
  if (PRIVATE_MEMBERS.some((name) => Object.hasOwn(members, name))) {
    throw new BindingError(FailureType.ProofKey, 'jwk contains private or symmetric key material');
  }
  const pin = keyPinOf(alg);
  if (members['kty'] !== pin.kty || (pin.crv !== undefined && members['crv'] !== pin.crv)) {
    throw new BindingError(FailureType.ProofKey, `jwk key type or curve does not match alg ${alg}`);
  }
  if (pin.kty === 'RSA') return rsaKey(members);
  const crv = pin.crv as string;
  const x = coordinate(members['x'], pin.coordinateLength);
  if (pin.kty === 'OKP') return { kty: 'OKP', crv, x };
  return { kty: 'EC', crv, x, y: coordinate(members['y'], pin.coordinateLength) };
}

function coordinate(value: unknown, length: number | undefined): string {
  if (typeof value !== 'string' || value.length !== length || !BASE64URL.test(value)) {
    throw new BindingError(FailureType.ProofKey, 'jwk coordinate is missing or not of the curve size');
  }
  return value;
}

function rsaKey(members: Readonly<Record<string, unknown>>): PublicJwk {
  const { n, e } = members;
  if (typeof n !== 'string' || !BASE64URL.test(n) || typeof e !== 'string' || !BASE64URL.test(e)) {
    throw new BindingError(FailureType.ProofKey, 'jwk RSA modulus or exponent is missing or not base64url');
  }
  if (e.length > MAX_RSA_EXPONENT_LENGTH) throw new BindingError(FailureType.ProofKey, 'jwk RSA exponent is too large');
  const bits = modulusBits(n);
  if (bits < MIN_RSA_MODULUS_BITS || bits > MAX_RSA_MODULUS_BITS) {
    throw new BindingError(FailureType.ProofKey, `jwk RSA modulus must be ${MIN_RSA_MODULUS_BITS} to ${MAX_RSA_MODULUS_BITS} bits`);
  }
  return { kty: 'RSA', e, n };
}

/** Significant bits of a base64url big-endian unsigned integer; leading zero octets do not count. */
function modulusBits(n: string): number {
  const bytes = Buffer.from(n, 'base64url');
  let first = 0;
  while (first < bytes.length && bytes[first] === 0) first += 1;
  if (first === bytes.length) return 0;
  return (bytes.length - first - 1) * 8 + (32 - Math.clz32(bytes[first] as number));
}
