import { sha256Base64url } from '../crypto/digest.js';
import { BindingError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import type { ValidatedCertificate } from '../mtls/certificate-path.js';
import type { AccessTokenClaims, AccessTokenVerifier } from '../token/access-token.js';
import { verifyPresentedToken } from '../token/verify-presented-token.js';
import { claimOnce } from '../replay/claim-once.js';
import { checkCertificatePathNotRevoked, type RevocationList } from '../revocation/revocation-list.js';
import type { CoveredHeaderValues } from './check-other-token-hashes.js';
import { requireMethods, resolveHopProofChecks, type HopProofVerifierOptions } from './hop-verifier-options.js';
import { verifyProofBinding } from './verify-proof-binding.js';

/** The options of the proof half of a hop: audience (the STS's SPIFFE ID), certificates, replay... */
export interface CallerProofVerifierOptions extends HopProofVerifierOptions {
  /** H12: the revocations in force; no certificate of the caller's path may be among them. */
  readonly revocations: RevocationList;
}

/** One request to a service that authenticates its caller by the hop proof alone (the STS). */
export interface CallerProofRequest {
  /** The NATS subject being handled, e.g. `sts.exchange`. */
  readonly subject: string;
  /** Every `Hop-Proof` value received; `undefined` or empty when absent. */
  readonly proof: readonly string[] | undefined;
  /** The token the proof's `ath` covers, as sent: the RFC 8693 `subject_token` of the payload. */
  readonly token: string;
  /** The message data as received (parsed JSON), the exchange request itself; covered by `pdh`. */
  readonly payload: unknown;
  /** Every value of each header the proof covers (W3C trace context), by lower-case name (O2, `oth`). */
  readonly covered?: CoveredHeaderValues | undefined;
  /**
   * O1, O3: told as soon as the proof's certificate passed H3, so a refusal by a later check can
   * name who sent it (as the hop verifier tells the guard); never called with an unvalidated one.
   */
  readonly onCertificate?: ((certificate: ValidatedCertificate) => void) | undefined;
  /**
   * O1, O3: told the proof's `jti` hash as soon as H1-H7 passed, so a refusal after it (H12 here,
   * the exchange's own checks later) can name the proof; never called for an unverified one.
   */
  readonly onProof?: ((jtiHash: string) => void) | undefined;
}

/**
 * A caller proof that passed H1-H7 and H12 (its path), its `jti` not yet claimed. Frozen; holds
 * no proof or token.
 * `claim()` is the last step (H6, replay): call it once, after every check of your own, and act
 * only when it resolves; it resolves the `jti` hash, or rejects with ProofReplayed, or with
 * ReplayStoreUnavailable (503, fail closed).
 */
export interface VerifiedCallerProof {
  /** The SPIFFE ID of the calling workload (`x5c[0]`). */
  readonly caller: string;
  /** `x5t#S256` of the caller's certificate: the `cnf` of a token issued to it. Not for revocation: see `certificate`. */
  readonly certificateThumbprint: string;
  /** SHA-256 of the proof's `jti`, for logs. */
  readonly jtiHash: string;
  /** The validated path, already looked up for revocation (H12) through its `pathThumbprints`. */
  readonly certificate: ValidatedCertificate;
  /**
   * The subject token this proof's `ath` covered, checked by `verifier` (verifyPresentedToken),
   * its verified-token cache keyed by the digest `ath` was checked against: the token is hashed
   * once per exchange. The STS chooses the verifier (external or internal, by token type).
   */
  verifySubjectToken(verifier: AccessTokenVerifier): Promise<AccessTokenClaims>;
  claim(): Promise<string>;
}

export interface CallerProofVerifier {
  verify(request: CallerProofRequest): Promise<VerifiedCallerProof>;
}

/**
 * Builds, once, the check of the hop proof by which the STS authenticates its callers
 * (ARCHITECTURE "Exchange": "The STS checks the subject token and A's proof"): the caller-proof
 * profile of the hop proof. The subject token may be a client's DPoP-bound token (from the edge)
 * or an internal one, so the full hop verifier, which requires an mtls-bound Hop-Token, does not
 * fit; this runs its proof half, the same steps (verifyProofBinding), with `aud` = the STS, `ath`
 * over the subject token as sent and `pdh` over the exchange request, then the caller's
 * revocation. In two phases, so that the replay claim stays last (RFC 9449 §11.1 "used only
 * once", E17: "recorded only after every other check passed"):
 *   1. RFC 8693 §2.1: `subject_token` REQUIRED; an absent or empty one fails here with
 *      ExchangeInvalidRequest (400 invalid_request, §2.2.2), before the proof is looked at.
 *   2. H1-H7: verifyProofBinding.
 *   3. H12: no certificate of the caller's path is revoked (checkCertificatePathNotRevoked over
 *      the whole validated path, never the bare leaf thumbprint: a leaf issued by a revoked
 *      intermediate CA fails too, RFC 5280 §6.1.3 (a)(3)). A revoked caller authenticates no one.
 *   4. H6, deferred: `claim()` on the result, which the STS calls after it has validated the
 *      subject token and its exchange policy, so a refused exchange never burns a `jti`.
 * Does not check the subject token, its revocation (checkNotRevoked) nor the exchange policy: the
 * STS does, before `claim()`.
 */
export function createCallerProofVerifier(options: CallerProofVerifierOptions): CallerProofVerifier {
  const checks = resolveHopProofChecks(options, 'caller proof verifier');
  requireMethods(options, [['revocations', 'isRevoked']], 'caller proof verifier');
  const { revocations } = options;

  async function verify(request: CallerProofRequest): Promise<VerifiedCallerProof> {
    const { subject, proof, token, payload, covered, onCertificate, onProof } = request;
    // 1. RFC 8693 §2.1: the subject token the proof's ath covers is there.
    if (typeof token !== 'string' || token.length === 0) {
      throw new BindingError(FailureType.ExchangeInvalidRequest, 'subject_token is missing');
    }
    // 2. H1-H7: the proof, its certificate, signature, aud/sub, iat, ath (subject token) and pdh.
    const tokenDigest = sha256Base64url(token); // for `ath` (H7) and the verified-token cache: once
    const { claims, certificate } = verifyProofBinding({ subject, proof, token, tokenDigest, payload, covered, onCertificate }, checks);
    const jtiHash = sha256Base64url(claims.jti);
    onProof?.(jtiHash);
    // 3. H12: no certificate of the caller's path, leaf to anchor, is revoked.
    checkCertificatePathNotRevoked(revocations, certificate);
    // 4. H6, last, deferred to the caller of claim().
    const claim = (): Promise<string> => claimOnce(checks.replay, certificate.thumbprint, claims.jti, checks.replayTtlSeconds);
    return Object.freeze({
      caller: certificate.spiffeId,
      certificateThumbprint: certificate.thumbprint,
      jtiHash,
      certificate,
      verifySubjectToken: (verifier: AccessTokenVerifier) => verifyPresentedToken(verifier, token, tokenDigest),
      claim,
    });
  }

  return Object.freeze({ verify });
}
