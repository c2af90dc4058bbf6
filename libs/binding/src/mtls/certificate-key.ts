import type { KeyObject } from 'node:crypto';
import { createJwsKey, type JwsKey } from '../crypto/jws-signature.js';
import { BindingError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';

/** The JWS algorithms a hop proof may use (ARCHITECTURE "Internal hops"), named as in RFC 7518/8037. */
export type CertificateKeyAlgorithm = 'ES256' | 'EdDSA';

export const CERTIFICATE_KEY_ALGORITHMS: readonly CertificateKeyAlgorithm[] = Object.freeze(['ES256', 'EdDSA']);

/**
 * The one JWS algorithm a certificate's key can sign with: RFC 7518 §3.4 ES256 is "ECDSA using
 * P-256 and SHA-256"; RFC 8037 §3.1 EdDSA with the Ed25519 curve. Any other key (RSA, P-384,
 * Ed448) cannot sign a hop proof, so its certificate is refused with CertificateUsage.
 * Does not check the certificate itself: the path validator does.
 */
export function keyAlgorithmOf(publicKey: KeyObject): CertificateKeyAlgorithm {
  if (publicKey.asymmetricKeyType === 'ec' && publicKey.asymmetricKeyDetails?.namedCurve === 'prime256v1') {
    return 'ES256';
  }
  if (publicKey.asymmetricKeyType === 'ed25519') return 'EdDSA';
  throw new BindingError(FailureType.CertificateUsage, 'sender certificate key is neither EC P-256 nor Ed25519');
}

/**
 * Each certificate key bound to its algorithm once (createJwsKey). Keyed by the KeyObject that the
 * validated path holds, and the path cache keeps, so an entry lives exactly as long as its path
 * and needs no bound of its own.
 */
const jwsKeys = new WeakMap<KeyObject, JwsKey>();

/**
 * H4: the certificate's public key bound to the proof `alg`, for verifyJwsSignature. Its type and
 * curve are checked against `alg` the first time this key is used (createJwsKey), then the bound
 * key is reused for every proof of the same cached path. A key of another kind than `alg` fails
 * with ProofKey, the node:crypto-side reason kept as `cause`.
 * Does not check that `alg` is allowed (the proof parser does) nor the certificate.
 */
export function certificateJwsKey(publicKey: KeyObject, alg: CertificateKeyAlgorithm): JwsKey {
  const cached = jwsKeys.get(publicKey);
  if (cached?.alg === alg) return cached;
  let key: JwsKey;
  try {
    key = createJwsKey(alg, publicKey);
  } catch (cause) {
    throw new BindingError(FailureType.ProofKey, 'proof alg does not match the sender certificate key type', { cause });
  }
  jwsKeys.set(publicKey, key);
  return key;
}

/**
 * H3: the leaf key type matches the proof `alg`, so the signature is checked under the header
 * `alg` and no other (RFC 8725 §3.1: "libraries MUST enable the caller to specify a supported set
 * of algorithms and MUST NOT use any other algorithms"; the key never picks the algorithm).
 * An ES256 proof over an Ed25519 certificate, or the reverse, fails with ProofKey.
 * Does not check that `alg` is allowed: the proof parser does.
 */
export function checkKeyMatchesAlgorithm(certificate: { readonly keyAlgorithm: CertificateKeyAlgorithm }, alg: string): void {
  if (certificate.keyAlgorithm !== alg) {
    throw new BindingError(FailureType.ProofKey, 'proof alg does not match the sender certificate key type');
  }
}
