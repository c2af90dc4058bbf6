import { sha256Base64url } from '../crypto/digest.js';
import { BindingError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import type { ValidatedCertificate } from '../mtls/certificate-path.js';
import { claimOnce } from '../replay/claim-once.js';
import type { CoveredHeaderValues } from './check-other-token-hashes.js';
import { resolveHopProofChecks, type HopProofVerifierOptions } from './hop-verifier-options.js';
import { verifyProofBinding } from './verify-proof-binding.js';

/** The options of the proof half of a hop: audience (the STS's SPIFFE ID), certificates, replay... */
export type CallerProofVerifierOptions = HopProofVerifierOptions;

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
}

/**
 * A caller proof that passed H1-H7, its `jti` not yet claimed. Frozen; holds no proof or token.
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
  /** The validated path; its `pathThumbprints` are what the STS looks up for revocation (H12). */
  readonly certificate: ValidatedCertificate;
  claim(): Promise<string>;
}

export interface CallerProofVerifier {
  verify(request: CallerProofRequest): Promise<VerifiedCallerProof>;
}

/**
 * Builds, once, the check of the hop proof by which the STS authenticates its callers
 * (ARCHITECTURE "Exchange": "The STS checks the subject token and A's proof"). The subject token
 * may be a client's DPoP-bound token (from the edge) or an internal one, so the full hop verifier,
 * which requires an mtls-bound Hop-Token, does not fit; this runs its proof half, the same steps
 * (verifyProofBinding), with `ath` over the subject token as sent and `pdh` over the exchange
 * request. In two phases, so that the replay claim stays last (RFC 9449 §11.1 "used only once",
 * E17: "recorded only after every other check passed"):
 *   1. RFC 8693 §2.1: `subject_token` REQUIRED; an absent or empty one fails here with
 *      ExchangeInvalidRequest (400 invalid_request, §2.2.2), before the proof is looked at.
 *   2. H1-H7: verifyProofBinding.
 *   3. H6, deferred: `claim()` on the result, which the STS calls after it has validated the
 *      subject token and its exchange policy, so a refused exchange never burns a `jti`.
 * Does not check the subject token, the exchange policy, nor revocation (H12): the STS does,
 * before `claim()`, with checkCertificatePathNotRevoked (or checkNotRevoked) over `certificate`,
 * never over the bare `certificateThumbprint`: that names the leaf only, and a leaf issued by a
 * revoked intermediate CA must fail too (RFC 5280 §6.1.3 (a)(3)).
 */
export function createCallerProofVerifier(options: CallerProofVerifierOptions): CallerProofVerifier {
  const checks = resolveHopProofChecks(options, 'caller proof verifier');

  async function verify(request: CallerProofRequest): Promise<VerifiedCallerProof> {
    const { subject, proof, token, payload, covered, onCertificate } = request;
    // 1. RFC 8693 §2.1: the subject token the proof's ath covers is there.
    if (typeof token !== 'string' || token.length === 0) {
      throw new BindingError(FailureType.ExchangeInvalidRequest, 'subject_token is missing');
    }
    // 2. H1-H7: the proof, its certificate, signature, aud/sub, iat, ath (subject token) and pdh.
    const { claims, certificate } = verifyProofBinding({ subject, proof, token, payload, covered, onCertificate }, checks);
    // 3. H6, last, deferred to the caller of claim().
    const claim = (): Promise<string> => claimOnce(checks.replay, certificate.thumbprint, claims.jti, checks.replayTtlSeconds);
    return Object.freeze({
      caller: certificate.spiffeId,
      certificateThumbprint: certificate.thumbprint,
      jtiHash: sha256Base64url(claims.jti),
      certificate,
      claim,
    });
  }

  return Object.freeze({ verify });
}
