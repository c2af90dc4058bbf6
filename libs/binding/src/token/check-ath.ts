import { digestEquals, sha256Base64url } from '../crypto/digest.js';
import { BindingError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';

/**
 * E19, H7: the proof is bound to the token it travels with. For DPoP, RFC 9449 §4.3 (12) "ensure that the value of the ath claim equals the hash of that access
 * token"; §4.2 "The value MUST be the result of a base64url encoding ... the SHA-256 hash of the
 * ASCII encoding of the associated access token's value". Hashed over the token exactly as sent
 * (no trimming, no decoding), compared in constant time. A missing `ath` is `ProofClaims` (§7 "The
 * DPoP proof MUST include the ath claim"). The hop proof carries `ath` the same way, over the
 * Hop-Token (ARCHITECTURE "Call"), so both proofs use this one check.
 * `tokenDigest`, when given, is that hash already computed by the caller (the DPoP and hop
 * verifiers compute it once per request and key the verified-token cache with it too).
 * Does not verify the token itself: the AccessTokenVerifier does.
 */
export function checkAth(ath: string | undefined, token: string, tokenDigest?: string): void {
  if (ath === undefined) throw new BindingError(FailureType.ProofClaims, 'proof ath is required with an access token');
  if (!digestEquals(ath, tokenDigest ?? sha256Base64url(token))) {
    throw new BindingError(FailureType.AthMismatch, 'proof ath does not match the access token');
  }
}
