import { BindingConfigError, BindingError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';

/**
 * The one SPIFFE ID rule of the estate: the certificate checks (H3), the verifiers' and the
 * outbound client's audiences, the `@Bound` callers, the STS policy and the certificates the estate
 * issues all go through spiffeIdProblem, so no two of them can disagree on what a SPIFFE ID is.
 *
 * SPIFFE ID §2: the `spiffe` scheme, a trust domain, "MUST NOT include a query or fragment
 * component"; §2.1: "The `userinfo` and `port` parts of the authority component MUST NOT be set",
 * and trust domain names hold only lowercase letters, digits, dots, dashes and underscores; §2.2:
 * path segments hold only letters, digits, dots, dashes and underscores, and are neither empty
 * nor `.` or `..`, so there is no trailing `/` and no percent-encoding; §2.3: at most 2048 bytes,
 * the trust domain at most 255. Every ID here names a workload, so it has a non-root path
 * (X509-SVID §5.2: "MUST ensure that the SPIFFE ID has a non-root path component").
 * Comparison is exact: scheme and trust domain are lowercase by definition, so `SPIFFE://` or an
 * upper-case trust domain is refused rather than normalised.
 */

/**
 * SPIFFE ID §2.3: "SPIFFE implementations MUST support SPIFFE URIs up to 2048 bytes in length";
 * nothing longer is accepted here. SPIFFE IDs are ASCII, so characters are bytes.
 */
export const MAX_SPIFFE_ID_LENGTH = 2048; // characters

const SCHEME = 'spiffe://';

/** SPIFFE ID §2.1: trust domain names hold lowercase letters, digits, dots, dashes and underscores; §2.3: at most 255. */
const TRUST_DOMAIN = /^[a-z0-9._-]{1,255}$/;

/** SPIFFE ID §2.2: path segments hold letters, digits, dots, dashes and underscores. */
const PATH_SEGMENT = /^[A-Za-z0-9._-]+$/;

/**
 * What is wrong with `value` as a workload's SPIFFE ID (in `trustDomain`, when given), or
 * undefined when nothing is. The problem names the part at fault, never repeats the value.
 */
export function spiffeIdProblem(value: unknown, trustDomain?: string): string | undefined {
  if (typeof value !== 'string') return 'is not a string';
  if (value.length > MAX_SPIFFE_ID_LENGTH) return `is longer than ${MAX_SPIFFE_ID_LENGTH} characters`;
  if (!value.startsWith(SCHEME)) return 'does not start with spiffe://';
  const slash = value.indexOf('/', SCHEME.length);
  const authority = value.slice(SCHEME.length, slash === -1 ? undefined : slash);
  if (!TRUST_DOMAIN.test(authority)) return 'has no trust domain of lowercase letters, digits, dots, dashes and underscores (no user, port, query or fragment)';
  if (trustDomain !== undefined && authority !== trustDomain) return `is not in the trust domain ${trustDomain}`;
  if (slash === -1) return 'has no path naming a workload';
  for (const segment of value.slice(slash + 1).split('/')) {
    if (!PATH_SEGMENT.test(segment) || segment === '.' || segment === '..') {
      return 'has a path segment that is empty, `.`, `..`, or holds a character other than letters, digits, dots, dashes and underscores';
    }
  }
  return undefined;
}

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
 * H3: a certificate's URI SAN is a workload SPIFFE ID of `trustDomain` (spiffeIdProblem).
 * X509-SVID §5.2: "the validator MUST also ensure that the scheme of the SPIFFE ID is set to
 * `spiffe`, and MUST ensure that the SPIFFE ID has a non-root path component". Fails with
 * CertificateUsage.
 * Does not check that the ID names a known workload: the caller policy does.
 */
export function checkSpiffeId(uri: string, trustDomain: string): string {
  const problem = spiffeIdProblem(uri, trustDomain);
  if (problem === undefined) return uri;
  const inPath = problem.startsWith('has a path segment');
  throw new BindingError(FailureType.CertificateUsage, inPath ? 'SPIFFE ID path is empty or malformed' : 'URI SAN is not a SPIFFE ID in the trust domain');
}

/**
 * A configured SPIFFE ID (an audience, a caller), checked once, at construction, by
 * spiffeIdProblem; a mistake throws BindingConfigError `${what}: it ${problem}`, e.g.
 * `outbound call: audience must be a SPIFFE ID: it has a path segment that is empty, ...`.
 */
export function spiffeIdOption(value: unknown, what: string, trustDomain?: string): string {
  const problem = spiffeIdProblem(value, trustDomain);
  if (problem !== undefined) throw new BindingConfigError(`${what}: it ${problem}`);
  return value as string;
}
