import { ACCESS_TOKEN_TYPE, BindingError, FailureType, type AccessTokenClaims, type AccessTokenVerifier } from '#binding/core';
import { actorChainOf, checkConfirmationMethod } from '#binding/hop';
import type { SubjectTokenType } from './exchange-request.js';

/** One more actor must still fit the depth every verifier accepts (DEFAULT_MAX_ACTOR_DEPTH). */
export const MAX_SUBJECT_ACTOR_CHAIN = 7; // actors

export interface SubjectTokenVerifiers {
  /** The external issuer's tokens: its keys, its `iss`, `aud` = the edge's external audience. */
  readonly external: AccessTokenVerifier;
  /** This STS's own tokens, `aud` = the given workload (one verifier per caller, built lazily). */
  internalFor(audience: string): AccessTokenVerifier;
}

/** The caller as its verified hop proof names it. */
export interface AuthenticatedCaller {
  readonly spiffeId: string;
  /**
   * The subject token the proof's `ath` covered, checked by the given verifier with the digest
   * already computed for `ath` (VerifiedCallerProof.verifySubjectToken: hashed once).
   */
  verifySubjectToken(verifier: AccessTokenVerifier): Promise<AccessTokenClaims>;
}

/**
 * RFC 8693 §2.1 `subject_token`, fully re-validated: a token is never exchanged on the word of the
 * caller. Which checks apply depends on its type (checkSubjectTokenType has already refused an
 * external token from anyone but the edge):
 * - external (`access_token`): signature against the external issuer's keys, `iss`, `aud` = the
 *   edge's external audience, `exp`/`nbf`, `typ` at+jwt, algorithm (E18); and bound to a DPoP key
 *   (`cnf.jkt`, RFC 9449 §6). The STS cannot compare `jkt` with a proof key: the client proved
 *   possession to the edge (E20), which cannot pass that proof on. The STS trusts the edge's check.
 * - internal (`jwt`): signature against this STS's keys, `iss` = this STS, `typ`, `exp`, and `aud`
 *   includes the caller's SPIFFE ID, taken from the certificate that signed the caller's proof:
 *   a token issued for orders may be exchanged by orders only, so a token stolen from a message can
 *   not be re-exchanged by any other workload. It must be certificate-bound (`cnf["x5t#S256"]`):
 *   its `cnf` names the certificate of the workload that called the caller with it (the token's
 *   `act.sub`), proven to the caller's guard (H10) when the token arrived; the caller cannot prove
 *   that key to the STS, as the edge cannot prove the client's. Its actor chain must be well formed
 *   and short enough for one more actor.
 * Each failure keeps its failure type; the exchange answers them all with invalid_request (RFC 8693
 * §2.2.2: 'if either the "subject_token" or "actor_token" are invalid for any reason [...] The value
 * of the "error" parameter MUST be the "invalid_request" error code'), a verifier that cannot answer
 * (KeySetUnavailable, or a fault: CheckFailed, verifyPresentedToken) with temporarily_unavailable.
 * Does not check revocation (the exchange does, H12) nor scope (narrowScope does).
 */
export async function verifySubjectToken(
  verifiers: SubjectTokenVerifiers,
  type: SubjectTokenType,
  caller: AuthenticatedCaller,
): Promise<AccessTokenClaims> {
  if (type === ACCESS_TOKEN_TYPE) {
    const claims = await caller.verifySubjectToken(verifiers.external);
    checkConfirmationMethod(claims, 'dpop');
    return claims;
  }
  const claims = await caller.verifySubjectToken(verifiers.internalFor(caller.spiffeId));
  checkConfirmationMethod(claims, 'mtls');
  const chain = actorChainOf(claims);
  if (chain.length === 0 || chain.length > MAX_SUBJECT_ACTOR_CHAIN) {
    throw new BindingError(FailureType.TokenMalformed, 'an internal subject token must name its actors, at most a few');
  }
  return claims;
}
