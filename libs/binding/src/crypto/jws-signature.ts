import { constants, sign, verify, type KeyObject } from 'node:crypto';

type Digest = 'sha256' | 'sha384' | 'sha512';
type SignatureOptions = Readonly<{ dsaEncoding?: 'ieee-p1363'; padding?: number; saltLength?: number }>;

/**
 * The one key type (and curve) an algorithm may be used with, as a JWK says it (RFC 7518 §6,
 * RFC 8037 §2): what a DPoP proof's `jwk` is checked against (E9, checkProofJwk).
 */
export interface JwkPin {
  readonly kty: 'EC' | 'OKP' | 'RSA';
  /** The curve for EC and OKP keys; RSA keys have none. */
  readonly crv: string | undefined;
  /** Length of each base64url coordinate (`x`, `y`) for the curve, RFC 7518 §6.2.1.2 "full size". */
  readonly coordinateLength: number | undefined;
}

/** How node:crypto computes the signature of one JWS algorithm, and the JWK it takes. */
interface JwsAlgorithmEntry {
  /** The digest the signing input is hashed with; `null` for EdDSA, which hashes by itself. */
  readonly digest: Digest | null;
  /** The one KeyObject.asymmetricKeyType the algorithm runs with. */
  readonly keyType: 'ec' | 'ed25519' | 'rsa';
  /** For ECDSA, the one curve (OpenSSL name) the algorithm names. */
  readonly namedCurve: string | undefined;
  /** The exact JWS Signature length in octets; `undefined` for RSA (the modulus length). */
  readonly signatureLength: number | undefined;
  /** For RSA, the smallest modulus the algorithm may run with, in bits. */
  readonly minModulusBits: number | undefined;
  readonly options: SignatureOptions;
  readonly jwk: JwkPin;
}

// RFC 7518 §3.4: the ECDSA JWS Signature is R || S, not DER (ieee-p1363), and "MUST be a 64-octet
// sequence. If it is not a 64-octet sequence, the validation has failed" for ES256; "For ECDSA
// P-384 SHA-384, R and S will be 384 bits each, resulting in a 96-octet sequence. For ECDSA P-521
// SHA-512, R and S will be 521 bits each, resulting in a 132-octet sequence." A DER signature has
// another length, or else is read as R || S and fails.
// The JWK side: RFC 7518 §6.2.1.1 `crv` P-256, P-384, P-521, each coordinate "the full size"
// of the curve (32, 48, 66 octets: 43, 64, 88 base64url characters).
const ecdsa = (digest: Digest, namedCurve: string, signatureLength: number, crv: string, coordinateLength: number): JwsAlgorithmEntry =>
  Object.freeze({
    digest,
    keyType: 'ec',
    namedCurve,
    signatureLength,
    minModulusBits: undefined,
    options: Object.freeze({ dsaEncoding: 'ieee-p1363' }),
    jwk: Object.freeze({ kty: 'EC', crv, coordinateLength }),
  });

// RFC 7518 §3.3 and §3.5: "A key of size 2048 bits or larger MUST be used with these algorithms."
// (jose refuses a smaller one the same way; checkProofJwk also caps DPoP keys at 4096 bits, E9.)
export const MIN_RSA_MODULUS_BITS = 2048; // bits
const RSA_JWK: JwkPin = Object.freeze({ kty: 'RSA', crv: undefined, coordinateLength: undefined });

// RFC 7518 §3.5: RSASSA-PSS "with the MGF1 mask generation function and SHA-2 hash functions,
// always using the same hash function for both the RSASSA-PSS hash function and the MGF1 hash
// function" (node:crypto's MGF1 takes the signature digest, RFC 4055 §3.1), and "The size of the
// salt value is the same size as the hash function output": exactly 32, 48 or 64 octets, never
// RSA_PSS_SALTLEN_AUTO, so a signature with another salt length does not verify.
const pss = (digest: Digest, saltLength: number): JwsAlgorithmEntry =>
  Object.freeze({
    digest,
    keyType: 'rsa',
    namedCurve: undefined,
    signatureLength: undefined,
    minModulusBits: MIN_RSA_MODULUS_BITS,
    options: Object.freeze({ padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }),
    jwk: RSA_JWK,
  });

// RFC 7518 §3.3: RSASSA-PKCS1-v1_5 with SHA-2.
const pkcs1 = (digest: Digest): JwsAlgorithmEntry =>
  Object.freeze({
    digest,
    keyType: 'rsa',
    namedCurve: undefined,
    signatureLength: undefined,
    minModulusBits: MIN_RSA_MODULUS_BITS,
    options: Object.freeze({ padding: constants.RSA_PKCS1_PADDING }),
    jwk: RSA_JWK,
  });

// RFC 8037 §3.1: EdDSA with Ed25519 signs the JWS Signing Input itself (RFC 8032 §5.1.6, no
// pre-hash: digest `null`), a 64-octet signature. `Ed25519` is the same algorithm under the fully
// specified name RFC 9864 registers (it deprecates the polymorphic `EdDSA`). Ed448 is accepted
// nowhere in the library. RFC 8037 §2: its JWK is `kty` OKP, `crv` Ed25519, `x` 32 octets.
const ed25519: JwsAlgorithmEntry = Object.freeze({
  digest: null,
  keyType: 'ed25519',
  namedCurve: undefined,
  signatureLength: 64,
  minModulusBits: undefined,
  options: Object.freeze({}),
  jwk: Object.freeze({ kty: 'OKP', crv: 'Ed25519', coordinateLength: 43 }),
});

/**
 * The exact table of the JWS algorithms the library signs or verifies per request: every algorithm
 * a DPoP allow-list may name (resolveDpopAlgorithms) and the hop-proof ones (ES256, EdDSA), each
 * with its node:crypto parameters and the JWK it takes (the one table; no other lists them).
 * A Map, so an `alg` such as `constructor` finds nothing; `none` and MACs are not in it.
 */
const JWS_ALGORITHMS: ReadonlyMap<string, JwsAlgorithmEntry> = new Map<string, JwsAlgorithmEntry>([
  ['ES256', ecdsa('sha256', 'prime256v1', 64, 'P-256', 43)],
  ['ES384', ecdsa('sha384', 'secp384r1', 96, 'P-384', 64)],
  ['ES512', ecdsa('sha512', 'secp521r1', 132, 'P-521', 88)],
  ['EdDSA', ed25519],
  ['Ed25519', ed25519],
  ['PS256', pss('sha256', 32)],
  ['PS384', pss('sha384', 48)],
  ['PS512', pss('sha512', 64)],
  ['RS256', pkcs1('sha256')],
  ['RS384', pkcs1('sha384')],
  ['RS512', pkcs1('sha512')],
]);

/** Whether `alg` is in the table above. */
export function isJwsAlgorithm(alg: string): boolean {
  return JWS_ALGORITHMS.has(alg);
}

/** The JWK key type (and curve) `alg` is pinned to (E9); `undefined` for an algorithm outside the table. */
export function jwkPinOf(alg: string): JwkPin | undefined {
  return JWS_ALGORITHMS.get(alg)?.jwk;
}

declare const checkedForAlg: unique symbol;

/**
 * A KeyObject checked once against one algorithm, its node:crypto options built once: what the
 * caches hold (ProofKeyCache per alg and thumbprint, a certificate's key, the hop signer's key).
 * Only createJwsKey makes one, so no key reaches verify or sign unchecked. Frozen.
 */
export interface JwsKey {
  readonly alg: string;
  readonly keyObject: KeyObject;
  readonly digest: Digest | null;
  /** The exact JWS Signature length in octets. */
  readonly signatureLength: number;
  readonly options: SignatureOptions & { readonly key: KeyObject };
  readonly [checkedForAlg]: true;
}

/**
 * Binds `keyObject` to `alg` after checking that its type, and for ECDSA its curve, is the one
 * `alg` names: RFC 8725 §3.1, the key never picks the algorithm (node:crypto would run an EC key
 * under `EdDSA` or `PS256` as plain ECDSA). Throws a TypeError for an algorithm outside the table
 * or a key of another kind; the caller maps it to its own failure. Call it once, where the key is
 * cached, not per request.
 * Does not cap an RSA modulus (checkProofJwk does, E9), nor check whether the key is public or
 * private (verify takes either; sign throws without a private key).
 */
export function createJwsKey(alg: string, keyObject: KeyObject): JwsKey {
  const entry = JWS_ALGORITHMS.get(alg);
  if (entry === undefined) throw new TypeError(`${alg} is not a supported asymmetric JWS algorithm`);
  if (typeof keyObject !== 'object' || keyObject === null || keyObject.type === 'secret') {
    throw new TypeError(`a ${alg} key must be an asymmetric KeyObject`);
  }
  if (keyObject.asymmetricKeyType !== entry.keyType) {
    throw new TypeError(`an ${String(keyObject.asymmetricKeyType)} key cannot be used with ${alg}`);
  }
  const details = keyObject.asymmetricKeyDetails ?? {};
  if (entry.namedCurve !== undefined && details.namedCurve !== entry.namedCurve) {
    throw new TypeError(`a key on curve ${String(details.namedCurve)} cannot be used with ${alg}`);
  }
  if (entry.minModulusBits !== undefined && !((details.modulusLength ?? 0) >= entry.minModulusBits)) {
    throw new TypeError(`${alg} needs an RSA key of at least ${entry.minModulusBits} bits`);
  }
  // RFC 8017 §8.1.2 (1), §8.2.2 (1): "If the length of the signature S is not k octets, output
  // 'invalid signature'", k the length in octets of the RSA modulus.
  const signatureLength = entry.signatureLength ?? Math.ceil((details.modulusLength as number) / 8);
  const options = Object.freeze({ ...entry.options, key: keyObject });
  return Object.freeze({ alg, keyObject, digest: entry.digest, signatureLength, options }) as JwsKey;
}

/**
 * RFC 7515 §5.2 (8): whether `signature` is a valid JWS Signature of `signingInput`
 * (`BASE64URL(header) '.' BASE64URL(payload)`, ASCII) under `alg` with `key`, by node:crypto's
 * one-shot verify. Under `alg` only: a key bound to another algorithm, or a signature of another
 * length than the algorithm's exact one (a DER-encoded ECDSA signature included), is false before
 * any arithmetic; nothing falls back to another algorithm or encoding.
 * Does not decode the header or the payload: the callers do.
 */
export function verifyJwsSignature(alg: string, key: JwsKey, signingInput: string, signature: Uint8Array): boolean {
  if (key.alg !== alg || signature.length !== key.signatureLength) return false;
  return verify(key.digest, Buffer.from(signingInput, 'utf8'), key.options, signature);
}

/**
 * The JWS Signature of `signingInput` under `alg` with the private `key`, by node:crypto's one-shot
 * sign: ECDSA as R || S, PSS with the salt length of RFC 7518 §3.5, Ed25519 over the input itself.
 * Throws a TypeError when `key` is bound to another algorithm.
 * Does not build the signing input: the caller does.
 */
export function signJws(alg: string, key: JwsKey, signingInput: string): Buffer {
  if (key.alg !== alg) throw new TypeError(`the key is bound to ${key.alg}, not ${alg}`);
  return sign(key.digest, Buffer.from(signingInput, 'utf8'), key.options);
}
