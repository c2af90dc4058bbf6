import { BindingConfigError } from '../errors/binding-error.js';
import { checkCertificatePathNotRevoked, checkNotRevoked, type RevocationList } from '../revocation/revocation-list.js';
import type { AccessTokenClaims, AccessTokenVerifier } from '../token/access-token.js';
import { checkAudience } from '../token/check-audience.js';
import { checkCertificateThumbprint, checkConfirmationMethod } from '../token/check-confirmation.js';
import { checkScope } from '../token/check-scope.js';
import { verifyPresentedToken } from '../token/verify-presented-token.js';
import { sha256Base64url } from '../crypto/digest.js';
import { actorChainOf, checkActor, checkCaller } from './check-actor.js';
import { checkSingleHopToken, type HopHeaderValues } from './check-hop-headers.js';
import type { CoveredHeaderValues } from './check-other-token-hashes.js';
import { claimOnce } from '../replay/claim-once.js';
import {
  DEFAULT_MAX_HOP_TOKEN_LENGTH,
  headerLength,
  requireMethods,
  resolveHopProofChecks,
  type HopProofVerifierOptions,
} from './hop-verifier-options.js';
import { verifyProofBinding } from './verify-proof-binding.js';

export {
  DEFAULT_HOP_ALGORITHMS,
  DEFAULT_HOP_IAT_FUTURE_S,
  DEFAULT_HOP_IAT_PAST_S,
  DEFAULT_MAX_HOP_PROOF_LENGTH,
  DEFAULT_MAX_HOP_TOKEN_LENGTH,
} from './hop-verifier-options.js';

export interface HopVerifierOptions extends HopProofVerifierOptions {
  /** Verifies the Hop-Token against the STS keys; configured with this service's audience. */
  readonly tokens: AccessTokenVerifier;
  readonly revocations: RevocationList;
  readonly maxTokenLength?: number;
}

/**
 * What the handler declared with `@Bound` (H11). `callers` absent allows any workload of the trust
 * domain; `scopes` absent or empty requires none; `audience`, when given, must be this verifier's
 * own (one NATS service has one SPIFFE ID), else the call fails with BindingConfigError.
 */
export interface HopPolicy {
  readonly audience?: string | undefined;
  readonly callers?: readonly string[] | undefined;
  readonly scopes?: readonly string[] | undefined;
}

export interface HopRequest {
  /** The NATS subject being handled. */
  readonly subject: string;
  readonly headers: HopHeaderValues;
  /** The message data as received (parsed JSON); `undefined` for none. */
  readonly payload: unknown;
  readonly policy?: HopPolicy;
  /** Every value of each header the proof covers (W3C trace context), by lower-case name (O2). */
  readonly covered?: CoveredHeaderValues;
  /**
   * Filled in as soon as the sender's certificate is validated (H3), so that a refusal after it can
   * name the caller and its certificate in spans and audit lines (O1, O3). Optional.
   */
  readonly sender?: { caller?: string; certificateThumbprint?: string };
}

/** The verified call. Frozen; holds no proof, only the token, claims, identities and hashes. */
export interface VerifiedHop {
  /**
   * The Hop-Token exactly as received and verified (H1, H8), for the onward exchange (the guard's
   * SubjectToken), as DpopVerification.token is at the edge. Never log or return it.
   */
  readonly token: string;
  readonly claims: AccessTokenClaims;
  /** The SPIFFE ID of the sending workload (`x5c[0]`). */
  readonly caller: string;
  /** `x5t#S256` of the sender certificate. */
  readonly certificateThumbprint: string;
  /** RFC 8693 actors, nearest first: `act.sub` (the caller), then `act.act.sub`, ... */
  readonly actorChain: readonly string[];
  /** SHA-256 of the proof's `jti`, for logs. */
  readonly jtiHash: string;
}

export interface HopVerifier {
  verify(request: HopRequest): Promise<VerifiedHop>;
}

/**
 * H1-H12: builds the check of an incoming internal hop once, at start-up; `verify` runs the steps
 * of ARCHITECTURE "Check at B" in that order, cheap checks first, every comparison after the
 * signature, the replay claim last so a refused request (scope included) never burns a `jti`.
 * Each step throws a BindingError; map it with toHopMapping (H13). A policy whose `audience` is
 * not this verifier's throws BindingConfigError: a mistake in the handler, not in the request.
 * Does not check the NATS permissions: the broker does.
 */
export function createHopVerifier(options: HopVerifierOptions): HopVerifier {
  const checks = resolveHopProofChecks(options, 'hop verifier');
  requireMethods(options, [['tokens', 'verify'], ['revocations', 'isRevoked']], 'hop verifier');
  const maxTokenLength = headerLength(options.maxTokenLength ?? DEFAULT_MAX_HOP_TOKEN_LENGTH, 'hop verifier maxTokenLength');
  const { tokens, revocations } = options;

  async function verify(request: HopRequest): Promise<VerifiedHop> {
    const policy = request.policy ?? {};
    // 0. The handler's policy fits this service (configuration, checked before the request).
    checkPolicyAudience(policy, checks.audience);
    // 1. H1: one Hop-Token under its size cap, before the proof (whose H1 opens step 2).
    const token = checkSingleHopToken(request.headers.token, maxTokenLength);
    const tokenDigest = sha256Base64url(token); // for `ath` (H7) and the verified-token cache (H8): once
    // 2. H1-H7: the proof, its certificate, signature, aud/sub, iat/exp, ath, pdh and oth.
    const { subject, payload, covered, sender } = request;
    const onCertificate = sender === undefined ? undefined : (validated: { spiffeId: string; thumbprint: string }) => {
      sender.caller = validated.spiffeId;
      sender.certificateThumbprint = validated.thumbprint;
    };
    const { claims: proof, certificate } = verifyProofBinding({ subject, proof: request.headers.proof, token, tokenDigest, payload, covered, onCertificate }, checks);
    // 3. H8: the token verifies against the STS keys (iss, exp, typ, alg).
    const claims = await verifyPresentedToken(tokens, token, tokenDigest);
    // 4. H9: meant for this service, whatever the verifier was configured with.
    checkAudience(claims, checks.audience);
    // 5. H10: certificate-bound, to this very certificate.
    checkConfirmationMethod(claims, 'mtls');
    checkCertificateThumbprint(claims, certificate.thumbprint);
    // 6. H11: the token's actor is the sender, the handler allows the sender, the token grants
    //    every scope the handler requires (RFC 6750 §3.1 insufficient_scope, 403).
    const actorChain = actorChainOf(claims);
    checkActor(actorChain, certificate.spiffeId);
    checkCaller(certificate.spiffeId, policy.callers);
    checkScope(claims, policy.scopes ?? []);
    // 7. H12: nothing involved is revoked: the token, its end user, then every certificate of
    //    the sender's path, leaf to anchor (RFC 5280 §6.1.3 (a)(3)).
    checkNotRevoked(revocations, claims);
    checkCertificatePathNotRevoked(revocations, certificate);
    // 8. H6, last: the proof is used once.
    const jtiHash = await claimOnce(checks.replay, certificate.thumbprint, proof.jti, checks.replayTtlSeconds);
    return Object.freeze({
      token,
      claims,
      caller: certificate.spiffeId,
      certificateThumbprint: certificate.thumbprint,
      actorChain: Object.freeze(actorChain),
      jtiHash,
    });
  }

  return Object.freeze({ verify });
}

/**
 * The policy's `audience`, when given, is the one this verifier checks `aud` against: the guard
 * passes `@Bound({ audience })` through, and a handler naming another service's SPIFFE ID would
 * otherwise be silently checked against this one. Throws BindingConfigError.
 * Does not check the token's `aud`: checkAudience does (H9).
 */
function checkPolicyAudience(policy: HopPolicy, audience: string): void {
  if (policy.audience !== undefined && policy.audience !== audience) {
    throw new BindingConfigError('@Bound audience is not the SPIFFE ID this hop verifier serves');
  }
}
