import type { webcrypto } from 'node:crypto';
import type { SignatureAlgorithm } from './key-algorithm.js';

/**
 * What the estate's PKI hands out: an issued certificate with its key, and an authority that
 * issues them. Their own module, so pki.ts (which makes them) and load-authority.ts (which reads
 * one from PEM files, re-exported by pki.ts) both name them without importing each other.
 */
export type CryptoKeyHandle = webcrypto.CryptoKey;

export interface IssuedCertificate {
  readonly certificatePem: string;
  /** PKCS#8, unencrypted. Write it 0600 and never anywhere tracked. */
  readonly privateKeyPem: string;
  /** The certificate's DER: its SHA-256 is the `x5t#S256` a certificate-bound token carries. */
  readonly der: Uint8Array;
}

export interface Authority extends IssuedCertificate {
  readonly commonName: string;
  readonly signatureAlgorithm: SignatureAlgorithm;
  /** The CA's private key, which signs what it issues. */
  readonly signingKey: CryptoKeyHandle;
  readonly publicKey: CryptoKeyHandle;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /**
   * What a leaf issued by this authority sends after itself: this authority's certificate and
   * the intermediates above it, leaf side first, the root excluded (empty for a root). An x5c
   * header is `[leaf.der, ...chainDer]`; a TLS client presents `leaf.certificatePem + chainPem`.
   */
  readonly chainDer: readonly Uint8Array[];
  readonly chainPem: string;
}
