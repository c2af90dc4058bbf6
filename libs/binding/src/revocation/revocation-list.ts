import { BindingError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import type { ValidatedCertificate } from '../mtls/certificate-path.js';
import type { AccessTokenClaims } from '../token/access-token.js';

/** What one request involves, for a revocation lookup; absent members are not looked up. */
export interface RevocationEntry {
  /** The access token's `jti`. */
  readonly tokenId?: string;
  /** The access token's `sub`: the end user. */
  readonly subject?: string;
  /** base64url(SHA-256(DER)) of one certificate of the sender's path, its `x5t#S256`. */
  readonly certificateThumbprint?: string;
}

/**
 * The revocations a service has heard of on `estate.revocations` (H12). `isRevoked` is
 * synchronous and cheap: it runs on every request; implementations keep the list in memory and
 * are fed asynchronously. An implementation that cannot answer must answer `true` (fail closed).
 */
export interface RevocationList {
  isRevoked(entry: RevocationEntry): boolean;
}

/** What the revocation check reads of a validated sender certificate: a ValidatedCertificate fits. */
export type CertificatePathThumbprints = Pick<ValidatedCertificate, 'thumbprint' | 'pathThumbprints'>;

/**
 * H12 for the token: neither its `jti` nor its `sub` (the end user) is revoked. Revocation reaches
 * a token that still verifies, which its short lifetime alone would not. A list that throws fails
 * closed: its own BindingError as it is (e.g. RevocationsUnavailable), anything else as Revoked
 * with the cause kept.
 * Fails with Revoked. Does not look up certificates (checkCertificatePathNotRevoked does, for a
 * hop's sender) nor check expiry or signatures (the token verifier does).
 */
export function checkNotRevoked(list: RevocationList, claims: AccessTokenClaims): void {
  if (isListed(list, { tokenId: typeof claims.jti === 'string' ? claims.jti : undefined, subject: claims.sub })) {
    throw new BindingError(FailureType.Revoked, 'token or subject is revoked');
  }
}

/**
 * H12 for the sender's certificates, RFC 5280 §6.1.3 (a)(3): "At the current time, the
 * certificate is not revoked", for every certificate of the validated path, leaf to trust anchor.
 * Revoking an intermediate CA's `x5t#S256` thus refuses every leaf it issued, and revoking the
 * anchor's refuses the whole estate. The thumbprints were hashed once, with the cached path; this
 * costs one lookup per certificate and no hashing, and runs on every request, so a revocation
 * applied after the path was cached holds at once. A path the validator did not name, or whose
 * first certificate is not the leaf, fails closed; so does a list that throws, as in checkNotRevoked.
 * Fails with Revoked, as a revoked leaf does. Does not validate the path: the path validator does.
 */
export function checkCertificatePathNotRevoked(list: RevocationList, certificate: CertificatePathThumbprints): void {
  const path = certificate.pathThumbprints;
  if (path === undefined || path[0] !== certificate.thumbprint) {
    throw new BindingError(FailureType.Revoked, 'the sender certificate path is unknown, so its revocation cannot be checked');
  }
  for (const certificateThumbprint of path) {
    if (isListed(list, { certificateThumbprint })) {
      throw new BindingError(FailureType.Revoked, 'a certificate of the sender certificate path is revoked');
    }
  }
}

/** One lookup, failing closed: anything but `false` is revoked; a throw is kept as the cause. */
function isListed(list: RevocationList, entry: RevocationEntry): boolean {
  try {
    return list.isRevoked(entry) !== false;
  } catch (cause) {
    if (cause instanceof BindingError) throw cause;
    throw new BindingError(FailureType.Revoked, 'revocation list could not be consulted', { cause });
  }
}
