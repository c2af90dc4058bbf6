import type { KeyObject, webcrypto } from 'node:crypto';

/** Key types the dev PKI generates: P-256 (the default) and Ed25519, the hop-proof algorithms. */
export type KeyAlgorithm = 'ES256' | 'EdDSA';

/** What an authority may sign with; a CA brought from outside may also hold a P-384 or RSA key. */
export type SignatureAlgorithm = KeyAlgorithm | 'ES384' | 'RS256';

export const DEFAULT_KEY_ALGORITHM: KeyAlgorithm = 'ES256';

interface WebCryptoProfile {
  /** For generateKey and importKey. */
  readonly key: webcrypto.EcKeyImportParams | webcrypto.RsaHashedImportParams | webcrypto.Algorithm;
  /** For signing certificates with this key. */
  readonly signing: webcrypto.EcdsaParams | webcrypto.Algorithm;
}

const PROFILES: Readonly<Record<SignatureAlgorithm, WebCryptoProfile>> = Object.freeze({
  ES256: { key: { name: 'ECDSA', namedCurve: 'P-256' }, signing: { name: 'ECDSA', hash: 'SHA-256' } },
  ES384: { key: { name: 'ECDSA', namedCurve: 'P-384' }, signing: { name: 'ECDSA', hash: 'SHA-384' } },
  EdDSA: { key: { name: 'Ed25519' }, signing: { name: 'Ed25519' } },
  RS256: { key: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, signing: { name: 'RSASSA-PKCS1-v1_5' } },
});

export function webCryptoProfile(algorithm: SignatureAlgorithm): WebCryptoProfile {
  const profile = PROFILES[algorithm];
  if (profile === undefined) throw new TypeError(`unsupported key algorithm: ${String(algorithm)}`);
  return profile;
}

/** Which signature algorithm an existing key (e.g. a CA key brought from outside) signs with. */
export function signatureAlgorithmOf(key: KeyObject): SignatureAlgorithm {
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (key.asymmetricKeyType === 'ec' && curve === 'prime256v1') return 'ES256';
  if (key.asymmetricKeyType === 'ec' && curve === 'secp384r1') return 'ES384';
  if (key.asymmetricKeyType === 'ed25519') return 'EdDSA';
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  throw new TypeError(`unsupported CA key type: ${key.asymmetricKeyType ?? 'unknown'}${curve === undefined ? '' : ` (${curve})`}`);
}
