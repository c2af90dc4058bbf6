import { createHash, X509Certificate } from 'node:crypto';

/**
 * The two fingerprints the estate speaks of a certificate:
 * - its SPKI pin, what nats-server's `tls { pinned_certs }` lists: hex SHA-256 of the DER
 *   SubjectPublicKeyInfo (nats-server auth.go matchesPinnedCert hashes RawSubjectPublicKeyInfo);
 * - its `x5t#S256`, what certificate-bound tokens carry and `estate.revocations` announces:
 *   base64url SHA-256 of the whole certificate DER (RFC 8705 §3.1).
 * A renewal changes both: every leaf gets a fresh key.
 */
export function spkiPin(certificatePem: string): string {
  const spki = new X509Certificate(certificatePem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('hex');
}

export function certificateThumbprint(certificate: string | Uint8Array): string {
  const der = typeof certificate === 'string' ? new X509Certificate(certificate).raw : certificate;
  return createHash('sha256').update(der).digest('base64url');
}
