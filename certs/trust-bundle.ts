import { X509Certificate } from 'node:crypto';

/**
 * A trust bundle is one PEM file holding one or more CA certificates (`ca.crt`, SPIRE's
 * `svid_bundle.pem`, cert-manager's `ca.crt`). During a CA rollover it holds the old CA and the
 * new one (SECURITY.md L4).
 */
const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Each certificate of a PEM bundle, as its own PEM text ending in a newline. */
export function splitPemCertificates(bundle: string): string[] {
  return [...bundle.matchAll(PEM_CERTIFICATE)].map((match) => `${match[0]}\n`);
}

export function renderTrustBundle(certificates: readonly string[]): string {
  return certificates.map((pem) => (pem.endsWith('\n') ? pem : `${pem}\n`)).join('');
}

/** Did `ca` sign `certificate`? (Names and signature: the path checks live in libs/binding.) */
export function issuedBy(certificate: X509Certificate, ca: X509Certificate): boolean {
  return certificate.checkIssued(ca) && certificate.verify(ca.publicKey);
}
