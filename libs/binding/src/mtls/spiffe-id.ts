import { BindingConfigError, BindingError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';

/**
 * SPIFFE ID §2.3: "SPIFFE implementations MUST support SPIFFE URIs up to 2048 bytes in length";
 * nothing longer is accepted here. SPIFFE IDs are ASCII, so characters are bytes.
 */
const MAX_SPIFFE_ID_LENGTH = 2048; // characters

/** SPIFFE ID §2.1: trust domain names hold lowercase letters, digits, dots, dashes and underscores. */
const TRUST_DOMAIN = /^[a-z0-9._-]{1,255}$/;

/** SPIFFE ID §2.2: path segments hold letters, digits, dots, dashes and underscores. */
const PATH_SEGMENT = /^[A-Za-z0-9._-]+$/;

/**
 * Checks a configured trust domain name once, at construction; throws BindingConfigError.
 * Does not check any certificate's SPIFFE ID: checkSpiffeId does.
 */
export function checkTrustDomainConfig(trustDomain: unknown): string {
  if (typeof trustDomain !== 'string' || !TRUST_DOMAIN.test(trustDomain)) {
    throw new BindingConfigError('trustDomain must be a SPIFFE trust domain name such as "estate.local"');
  }
  return trustDomain;
}

/**
 * X509-SVID §5.2: "the validator MUST also ensure that the scheme of the SPIFFE ID is set to
 * `spiffe`, and MUST ensure that the SPIFFE ID has a non-root path component". SPIFFE ID §2:
 * "MUST NOT include a query or fragment component"; §2.1: "The `userinfo` and `port` parts of
 * the authority component MUST NOT be set". The authority must be exactly `trustDomain`, and the
 * path is made of non-empty segments other than `.` and `..`, with no trailing `/`.
 * Comparison is exact: scheme and trust domain are lowercase by definition, so `SPIFFE://` or an
 * upper-case host fails rather than being normalised. Fails with CertificateUsage.
 * Does not check that the ID names a known workload: the caller policy does.
 */
export function checkSpiffeId(uri: string, trustDomain: string): string {
  const prefix = `spiffe://${trustDomain}/`;
  if (uri.length > MAX_SPIFFE_ID_LENGTH || !uri.startsWith(prefix)) {
    throw new BindingError(FailureType.CertificateUsage, 'URI SAN is not a SPIFFE ID in the trust domain');
  }
  for (const segment of uri.slice(prefix.length).split('/')) {
    if (!PATH_SEGMENT.test(segment) || segment === '.' || segment === '..') {
      throw new BindingError(FailureType.CertificateUsage, 'SPIFFE ID path is empty or malformed');
    }
  }
  return uri;
}
