import { checkKeyMatchesAlgorithm } from '../mtls/certificate-key.js';
import type { ValidatedCertificate } from '../mtls/certificate-path.js';
import { checkAth } from '../token/check-ath.js';
import { checkPayloadHash, checkProofAudience, checkProofExpiry, checkProofIat, checkProofSubject } from './check-hop-claims.js';
import { checkSingleHopProof } from './check-hop-headers.js';
import { checkOtherTokenHashes, type CoveredHeaderValues } from './check-other-token-hashes.js';
import { checkHopProofSignature } from './check-hop-proof-signature.js';
import type { HopProofChecks } from './hop-verifier-options.js';
import { parseHopProof, parseHopProofClaims, type HopProofClaims } from './parse-hop-proof.js';

/** What a hop proof is checked against: the message as received. */
export interface ProofBindingInput {
  /** The NATS subject being handled. */
  readonly subject: string;
  /** Every `Hop-Proof` value received; `undefined` or empty when absent. */
  readonly proof: readonly string[] | undefined;
  /** The token the proof's `ath` must cover, exactly as sent. */
  readonly token: string;
  /** base64url(SHA-256(token)), when the caller has it already (it keys the token cache too). */
  readonly tokenDigest?: string | undefined;
  /** The message data as received (parsed JSON); `undefined` for none. */
  readonly payload: unknown;
  /** Every value of each covered header received (the W3C trace context); absent: none was. */
  readonly covered?: CoveredHeaderValues | undefined;
  /**
   * Told the sender's validated certificate as soon as H3 passed, before the checks that may still
   * refuse the message: so a refusal can name who sent it (O1, O3). Never told of an invalid one.
   */
  readonly onCertificate?: ((certificate: ValidatedCertificate) => void) | undefined;
}

/** A proof that passed H1-H7: its claims, read from verified bytes, and its sender's certificate. */
export interface VerifiedProofBinding {
  readonly claims: HopProofClaims;
  readonly certificate: ValidatedCertificate;
}

/**
 * H1-H7 for the proof half of any hop, shared by createHopVerifier (Hop-Token from a header) and
 * createCallerProofVerifier (the STS, token from the exchange request), in ARCHITECTURE "Check at
 * B" order: the certificate is validated before the signature is checked, and no claim is read,
 * let alone compared, before the signature has verified. Each step throws a BindingError.
 * Synchronous: every step is (the certificate path and the key are cached, the signature is
 * node:crypto's one-shot verify), so a hop pays no promise before the token check.
 * Does not check the token itself, revocation or policy, and does not claim the `jti` (H6, replay):
 * each caller does those after this, the replay claim last.
 */
export function verifyProofBinding(input: ProofBindingInput, checks: HopProofChecks): VerifiedProofBinding {
  // 1. H1: one Hop-Proof value, under its size cap, before any decoding.
  const proofText = checkSingleHopProof(input.proof, checks.maxProofLength);
  // 2. H2: compact JWS, typ hop+jwt, alg allowed, no crit, x5c well formed (its one syntax
  //    check), the header checked once per sender (the header cache).
  const proof = parseHopProof(proofText, checks.algorithms, checks.headers);
  // 3. H3: x5c[0] chains to the estate CA, valid now, clientAuth, one SPIFFE ID; key fits alg.
  const certificate = checks.certificates.validate(proof.header.x5c);
  checkKeyMatchesAlgorithm(certificate, proof.header.alg);
  input.onCertificate?.(certificate);
  // 4. H4: the signature, with that certificate's key, under the header alg; then the claims,
  //    typed, from the verified payload.
  const claims = parseHopProofClaims(checkHopProofSignature(proof, certificate));
  // 5. H5: addressed to this service and to the subject being handled.
  checkProofAudience(claims, checks.audience);
  checkProofSubject(claims, input.subject);
  // 6. H6: fresh and not expired, by the injected clock.
  const now = checks.clock();
  checkProofIat(claims, now, checks.iatWindow);
  checkProofExpiry(claims, now, checks.iatWindow);
  // 7. H7: bound to this token, this payload and this trace context (O2, `oth`).
  checkAth(claims.ath, input.token, input.tokenDigest);
  checkPayloadHash(claims, input.payload);
  checkOtherTokenHashes(claims.oth, input.covered);
  return { claims, certificate };
}
