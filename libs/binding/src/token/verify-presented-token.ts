import { BindingError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import type { AccessTokenClaims, AccessTokenVerifier } from './access-token.js';

/**
 * The library's own verifier (createAccessTokenVerifier) answers this too: the same verification,
 * keyed by the digest the caller already computed for `ath`, so a request hashes its token once.
 * Not public: only the verifiers in this library, which compute the digest from the very token
 * they pass, may hand one in (a wrong digest would serve another token's cached claims).
 */
export const VERIFY_WITH_DIGEST = Symbol('hybrid-estate:verify-with-digest');

export interface DigestAwareTokenVerifier extends AccessTokenVerifier {
  [VERIFY_WITH_DIGEST](token: string, digest: string): Promise<AccessTokenClaims>;
}

/**
 * E18 at the edge, H8 at a hop and the subject token at the STS: the one way to call an
 * AccessTokenVerifier. `digest`, when given, is base64url(SHA-256(token)) as the library's own
 * DPoP and hop verifiers compute it once per request for `ath` (checkAth): the verified-token
 * cache is then keyed by it too, instead of hashing the token again.
 *
 * The verifier's contract is to throw a BindingError that names what is wrong with the token (or
 * that its issuer's keys are unavailable, KeySetUnavailable). Anything else it throws is an
 * unexpected fault: a bug, a custom verifier or key source failing in a way no check names. That
 * is refused as CheckFailed, 503 `temporarily_unavailable` (at HTTP with Retry-After), never
 * accepted, the cause kept for the logs, and never as 401 `invalid_token`:
 * - the fault says nothing about the token: RFC 6750 §3.1 `invalid_token` ("expired, revoked,
 *   malformed, or invalid for other reasons") tells the client to drop the token and get another,
 *   and RFC 9449 §7.1 uses the same code, which would send a legitimate client to its
 *   authorization server for a fault of ours, and count a server fault as a client's failure;
 * - SECURITY.md asks a dependency that fails to fail closed and explicitly (E17 "failing closed
 *   when the store errs", RevocationsUnavailable, KeySetUnavailable: all 503 retry later), which
 *   a client can tell from a verdict on its credentials;
 * - over NATS the same 503 is what the outbound side sorts as OutboundUnavailableError (retry),
 *   not OutboundRefusedError, which would drop the exchanged token as refused.
 * So the edge, a hop and the guard's own catch-all agree on one failure type.
 * Does not check anything itself: the verifier does.
 */
export async function verifyPresentedToken(verifier: AccessTokenVerifier, token: string, digest?: string): Promise<AccessTokenClaims> {
  try {
    const withDigest = (verifier as Partial<DigestAwareTokenVerifier>)[VERIFY_WITH_DIGEST];
    return await (withDigest === undefined || digest === undefined ? verifier.verify(token) : withDigest.call(verifier, token, digest));
  } catch (cause) {
    if (cause instanceof BindingError) throw cause;
    throw new BindingError(FailureType.CheckFailed, 'the access token could not be checked right now', { cause });
  }
}
