// @peculiar/x509 resolves its algorithm providers through tsyringe, which refuses to load without a
// Reflect metadata polyfill; importing it here keeps this pure module usable without Nest.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { BindingError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import { checkSpiffeId } from './spiffe-id.js';

/** RFC 5280 §4.2.1.12: id-kp-clientAuth. */
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

/** The extensions this module processes (RFC 5280 §4.2.1.3, .6, .9, .12). */
const PROCESSED_EXTENSIONS: ReadonlySet<string> = new Set([
  '2.5.29.15', // keyUsage
  '2.5.29.17', // subjectAltName
  '2.5.29.19', // basicConstraints
  '2.5.29.37', // extKeyUsage
]);

/**
 * RFC 5280 §4.2: "A certificate-using system MUST reject the certificate if it encounters a
 * critical extension it does not recognize or a critical extension that contains information
 * that it cannot process", and "A certificate MUST NOT include more than one instance of a
 * particular extension". Name constraints and certificate policies are not processed, so a
 * certificate marking either critical is refused. Fails with CertificateUntrusted.
 * Does not interpret the extensions it lets through: the leaf and signing checks do.
 */
export function checkCriticalExtensions(certificate: x509.X509Certificate): void {
  const seen = new Set<string>();
  for (const extension of certificate.extensions) {
    if (seen.has(extension.type)) {
      throw new BindingError(FailureType.CertificateUntrusted, 'certificate repeats an extension');
    }
    seen.add(extension.type);
    if (extension.critical && !PROCESSED_EXTENSIONS.has(extension.type)) {
      throw new BindingError(FailureType.CertificateUntrusted, 'certificate has an unrecognised critical extension');
    }
  }
}

/**
 * A certificate from `x5c` that issues the one below it (RFC 5280 §6.1.4):
 * (k) "verify that the certificate is a CA certificate (as specified in a basicConstraints
 * extension with cA set to TRUE)"; (n) "If a key usage extension is present, verify that the
 * keyCertSign bit is set" — and RFC 5280 §4.2.1.3 "Conforming CAs MUST include this extension"
 * in such certificates (X509-SVID §4.3: signing certificates "MUST set keyCertSign"), so it is
 * required here; (l)/(m) `pathLenConstraint` bounds the intermediates below it, counted without
 * exempting self-issued ones (stricter than §6.1.4 (l)). Fails with CertificateUntrusted: such
 * a certificate cannot be part of a valid path. Does not check its signature or validity period.
 */
export function checkSigningCertificate(certificate: x509.X509Certificate, intermediatesBelow: number): void {
  const constraints = certificate.getExtension(x509.BasicConstraintsExtension);
  if (constraints === null || !constraints.ca) {
    throw new BindingError(FailureType.CertificateUntrusted, 'an issuing certificate in x5c is not a CA');
  }
  checkPathLength(constraints, intermediatesBelow);
  const keyUsage = certificate.getExtension(x509.KeyUsagesExtension);
  if (keyUsage === null || (keyUsage.usages & x509.KeyUsageFlags.keyCertSign) === 0) {
    throw new BindingError(FailureType.CertificateUntrusted, 'an issuing certificate in x5c may not sign certificates');
  }
}

/**
 * RFC 5280 §4.2.1.9: pathLenConstraint "gives the maximum number of non-self-issued
 * intermediate certificates that may follow this certificate in a valid certification path".
 * Also applied to the trust anchor when its certificate carries one. Fails with
 * CertificateUntrusted. Does not check that the certificate is a CA: checkSigningCertificate does.
 */
export function checkPathLength(constraints: x509.BasicConstraintsExtension | null, intermediatesBelow: number): void {
  const limit = constraints?.pathLength;
  if (limit !== undefined && intermediatesBelow > limit) {
    throw new BindingError(FailureType.CertificateUntrusted, 'certificate path is longer than a pathLenConstraint allows');
  }
}

/**
 * The sender's own certificate, `x5c[0]` (H3), as X509-SVID §5.2 requires of a validator
 * authenticating a caller: it "MUST ensure that the `CA` field in the basic constraints
 * extension is set to `false`, and that `keyCertSign` and `cRLSign` are not set in the key usage
 * extension"; it carries the `clientAuth` extended key usage (ARCHITECTURE "Identities"; RFC 5280
 * §4.2.1.12 "the certificate MUST only be used for one of the purposes indicated"); and exactly
 * one URI SAN (X509-SVID §2: "Validators encountering an SVID containing more than one URI SAN
 * MUST reject the SVID"), which is a SPIFFE ID in the trust domain. Returns that SPIFFE ID.
 * Fails with CertificateUsage. Does not check the chain, the validity period or the key type:
 * the path validator and checkKeyMatchesAlgorithm do.
 */
export function checkLeafCertificate(certificate: x509.X509Certificate, trustDomain: string): string {
  checkLeafIsNotCa(certificate);
  checkLeafKeyUsage(certificate);
  checkClientAuthUsage(certificate);
  return checkSpiffeId(singleUriSan(certificate), trustDomain);
}

/** X509-SVID §4.1: "leaf certificates MUST set the `cA` field to `false`". Does not check key usage. */
export function checkLeafIsNotCa(certificate: x509.X509Certificate): void {
  if (certificate.getExtension(x509.BasicConstraintsExtension)?.ca === true) {
    throw new BindingError(FailureType.CertificateUsage, 'sender certificate is a CA certificate');
  }
}

/**
 * X509-SVID §4.3: "Leaf SVIDs MUST set `digitalSignature`" and "MUST NOT set `keyCertSign` or
 * `cRLSign`". A leaf without the extension is accepted, as RFC 5280 reads an absent key usage as
 * unrestricted. Does not check extended key usage: checkClientAuthUsage does.
 */
export function checkLeafKeyUsage(certificate: x509.X509Certificate): void {
  const keyUsage = certificate.getExtension(x509.KeyUsagesExtension);
  if (keyUsage === null) return;
  const signing = x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign;
  if ((keyUsage.usages & x509.KeyUsageFlags.digitalSignature) === 0 || (keyUsage.usages & signing) !== 0) {
    throw new BindingError(FailureType.CertificateUsage, 'sender certificate key usage does not allow signing proofs');
  }
}

/**
 * The sender certificate names `clientAuth` in its extended key usage: a server-only or
 * EKU-less certificate cannot call a hop. `anyExtendedKeyUsage` is not accepted in its place.
 * Does not check key usage bits: checkLeafKeyUsage does.
 */
export function checkClientAuthUsage(certificate: x509.X509Certificate): void {
  const usage = certificate.getExtension(x509.ExtendedKeyUsageExtension);
  if (usage === null || !usage.usages.includes(CLIENT_AUTH)) {
    throw new BindingError(FailureType.CertificateUsage, 'sender certificate lacks the clientAuth extended key usage');
  }
}

/** The one URI SAN of a leaf; other SAN types (DNS, IP) are allowed and ignored (X509-SVID §2). */
function singleUriSan(certificate: x509.X509Certificate): string {
  let names: readonly x509.GeneralName[];
  try {
    names = certificate.getExtension(x509.SubjectAlternativeNameExtension)?.names.items ?? [];
  } catch (cause) {
    // @peculiar/x509 throws on SAN types it cannot represent (otherName, X.400, EDI party).
    throw new BindingError(FailureType.CertificateUsage, 'sender certificate has an unreadable subjectAltName', { cause });
  }
  const uris = names.filter((name) => name.type === 'url');
  if (uris.length !== 1) {
    throw new BindingError(FailureType.CertificateUsage, 'sender certificate must have exactly one URI SAN');
  }
  return uris[0].value;
}
