import { BindingError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import type { AccessTokenClaims } from '../token/access-token.js';

/** What one request involves, for a revocation lookup; absent members are not looked up. */
export interface RevocationEntry {
  /** The access token's `jti`. */
  readonly tokenId?: string;
  /** The access token's `sub`: the end user. */
  readonly subject?: string;
  /** base64url(SHA-256(DER)) of the sender's certificate, its `x5t#S256`. */
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

/**
 * H12: nothing involved in the request is revoked: the token's `jti`, its `sub` (the end user),
 * the sender certificate's thumbprint (absent at the edge, where the client holds a DPoP key).
 * Revocation reaches a token that still verifies, which its short lifetime alone would not. A list
 * that throws fails closed: its own BindingError as it is (e.g. RevocationsUnavailable), anything
 * else as Revoked with the cause kept.
 * Fails with Revoked. Does not check expiry or signatures: the token verifier and path check do.
 */
export function checkNotRevoked(list: RevocationList, claims: AccessTokenClaims, certificateThumbprint?: string): void {
  let revoked: boolean;
  try {
    revoked = list.isRevoked({
      tokenId: typeof claims.jti === 'string' ? claims.jti : undefined,
      subject: claims.sub,
      ...(certificateThumbprint === undefined ? {} : { certificateThumbprint }),
    });
  } catch (cause) {
    if (cause instanceof BindingError) throw cause;
    throw new BindingError(FailureType.Revoked, 'revocation list could not be consulted', { cause });
  }
  if (revoked !== false) {
    throw new BindingError(FailureType.Revoked, 'token, subject or sender certificate is revoked');
  }
}
