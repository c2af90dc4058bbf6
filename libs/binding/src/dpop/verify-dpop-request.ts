import { claimOnce } from '../replay/claim-once.js';
import { checkNotRevoked } from '../revocation/revocation-list.js';
import type { AccessTokenClaims } from '../token/access-token.js';
import { checkAudience } from '../token/check-audience.js';
import { checkScope } from '../token/check-scope.js';
import { checkAth } from '../token/check-ath.js';
import { verifyPresentedToken } from '../token/verify-presented-token.js';
import { sha256Base64url } from '../crypto/digest.js';
import { checkSingleCredentialMechanism } from './check-credential-mechanisms.js';
import { checkHtm } from './check-htm.js';
import { checkHtu } from './check-htu.js';
import { splitCompactJws } from '../pop/compact-jws.js';
import { replayWindowSeconds } from '../time/iat-window.js';
import { checkProofTime } from './check-proof-time.js';
import { checkSchemeBinding, DEFAULT_UNBOUND_TOKENS, type UnboundTokenPolicy } from './check-scheme-binding.js';
import { resolveDpopVerifierOptions, type DpopVerifierConfig, type DpopVerifierOptions } from './dpop-verifier-options.js';
import type { RequestUriInput } from './effective-uri.js';
import { parseAuthorization, type AuthorizationScheme } from './parse-authorization.js';
import { parseProofClaims } from './parse-proof-claims.js';
import { DPOP_PROFILE } from './parse-proof-header.js';
import { verifyProofSignature } from './verify-proof-signature.js';

/** One HTTP request as the edge sees it, headers from `req.headersDistinct`. */
export interface DpopRequest extends RequestUriInput {
  /** `req.method`, as sent. */
  readonly method: string;
  readonly authorization: readonly string[] | undefined;
  readonly dpop: readonly string[] | undefined;
  /** Whether the parsed body carries `access_token` (E1, E2: refused, never read). */
  readonly bodyHasAccessToken?: boolean;
  /** What the route requires beyond a valid bound token; checked before the jti is claimed. */
  readonly policy?: DpopPolicy;
}

/** The route's own requirements (its @Bound policy). */
export interface DpopPolicy {
  /** An audience the token must include, besides the verifier's configured one. */
  readonly audience?: string | undefined;
  readonly scopes?: readonly string[] | undefined;
  /**
   * An unbound token with the Bearer scheme (issue 14): `refuse` (E5), or `accept-as-bearer` on a
   * route that serves public clients whose authorization server binds only refresh tokens. Absent:
   * the verifier's `allowBearer` decides (default refuse). Only the exact value accepts.
   */
  readonly unboundTokens?: UnboundTokenPolicy | undefined;
}

/** A request that passed every check. Holds no token and no proof. */
export interface DpopVerification {
  readonly scheme: AuthorizationScheme;
  /**
   * The access token exactly as parsed from Authorization (E1) and verified, for the onward
   * exchange (the guard's SubjectToken). Never log or return it.
   */
  readonly token: string;
  readonly claims: AccessTokenClaims;
  /** RFC 7638 thumbprint of the proof key; `undefined` only for an accepted Bearer token. */
  readonly jkt: string | undefined;
  /** base64url SHA-256 of the proof's `jti`, for logs; `undefined` for Bearer. */
  readonly jtiHash: string | undefined;
  /** A fresh nonce to send as `DPoP-Nonce` on the success response (E15 rotation, E23). */
  readonly nonce: string | undefined;
}

export interface DpopVerifier {
  /** The E8 allow-list, to advertise in `algs` (E22) and in resource metadata (E26). */
  readonly algorithms: readonly string[];
  /** Throws a BindingError (E1-E21); resolves only when every check passed. */
  verify(request: DpopRequest): Promise<DpopVerification>;
}

/**
 * The edge's DPoP check (RFC 9449 §4.3, §7), built once from options validated here. The steps
 * run in a fixed order, numbered in verifyDpopRequest below: cheap framing first, nothing compared
 * before the signature has verified, the token after the proof, the replay claim last so that a
 * refused request never burns a `jti`. A Bearer request (step 2) skips the proof steps and is
 * accepted only unbound and only where the route's `unboundTokens` policy (else `allowBearer`)
 * says `accept-as-bearer`.
 * Does not check callers (the edge has none) nor, without a `revocations` list, revocation.
 */
export function createDpopVerifier(options: DpopVerifierOptions): DpopVerifier {
  const config = resolveDpopVerifierOptions(options);
  const verify = (request: DpopRequest): Promise<DpopVerification> => verifyDpopRequest(request, config);
  return Object.freeze({ algorithms: config.algorithms, verify });
}

async function verifyDpopRequest(request: DpopRequest, config: DpopVerifierConfig): Promise<DpopVerification> {
  // 1. Framing (E1-E5): one Authorization, one DPoP, the scheme, the proof's size; no token
  //    in the query or the body (E1, E2).
  const credentials = parseAuthorization(request.authorization, request.dpop, config.maxProofLength);
  checkSingleCredentialMechanism(request.target, request.bodyHasAccessToken === true);
  // 2. Bearer (E5, E21): the token, then no downgrade of a bound token.
  if (credentials.scheme === 'bearer') return verifyBearer(credentials.token, config, request.policy);
  const proof = credentials.proof as string;
  // 3. The effective request URI, from configuration and a validated Host (E14).
  const effectiveUri = config.effectiveUri(request);
  // 4. Proof syntax and key (E6-E9): compact JWS, typ, alg, a public jwk of the alg's kind; a
  //    header already seen is served from the key cache without a promise.
  const { header } = splitCompactJws(proof, DPOP_PROFILE);
  const proofKey = config.keys.cached(header) ?? (await config.keys.resolve(header));
  // 5. Signature with that key under that alg only (E11).
  const payload = verifyProofSignature(proof, proofKey);
  // 6. Claims present and typed (E10).
  const claims = parseProofClaims(payload, { maxJtiLength: config.maxJtiLength, requireAth: true });
  // 7. The proof against the request and the clock (E12, E13, E16), then the nonce (E15).
  checkHtm(claims.htm, request.method);
  checkHtu(claims.htu, effectiveUri);
  checkProofTime(claims, config.clock(), config.window);
  config.nonces.check(claims.nonce, proofKey.jkt);
  // 8. The access token (E18), by the digest of the token as sent: the cache key and `ath` are
  //    the same SHA-256, computed once.
  const tokenDigest = sha256Base64url(credentials.token);
  const tokenClaims = await verifyPresentedToken(config.tokenVerifier, credentials.token, tokenDigest);
  // 9. ath over the token as sent (E19).
  checkAth(claims.ath, credentials.token, tokenDigest);
  // 10. Scheme and binding (E5, E20, E21): DPoP-bound, cnf.jkt equal to the proof key's thumbprint.
  checkSchemeBinding('dpop', tokenClaims, proofKey.jkt, unboundTokensOf(config, request.policy));
  // 11. The route's policy (its @Bound audience and scopes), then revocation (H12 at the edge),
  //     before the claim: a request refused for either must not burn its jti.
  checkPolicy(tokenClaims, request.policy);
  if (config.revocations !== undefined) checkNotRevoked(config.revocations, tokenClaims);
  // 12. The jti, claimed once, last (E17).
  const jtiHash = await claimOnce(config.replayStore, proofKey.jkt, claims.jti, replayWindowSeconds(config.window));
  // 13. A fresh nonce for the success response when the one used is about to expire (E15).
  const nonce = config.nonces.shouldRotate(claims.nonce) ? config.nonces.issue(proofKey.jkt) : undefined;
  return Object.freeze({ scheme: 'dpop', token: credentials.token, claims: tokenClaims, jkt: proofKey.jkt, jtiHash, nonce });
}

async function verifyBearer(token: string, config: DpopVerifierConfig, policy: DpopPolicy | undefined): Promise<DpopVerification> {
  const claims = await verifyPresentedToken(config.tokenVerifier, token, sha256Base64url(token));
  checkSchemeBinding('bearer', claims, undefined, unboundTokensOf(config, policy));
  checkPolicy(claims, policy);
  if (config.revocations !== undefined) checkNotRevoked(config.revocations, claims);
  return Object.freeze({ scheme: 'bearer', token, claims, jkt: undefined, jtiHash: undefined, nonce: undefined });
}

/** The route's word on unbound tokens, else the verifier's `allowBearer`; a value other than the two refuses. */
function unboundTokensOf(config: DpopVerifierConfig, policy: DpopPolicy | undefined): UnboundTokenPolicy {
  const declared = policy?.unboundTokens;
  if (declared === undefined) return config.allowBearer ? 'accept-as-bearer' : DEFAULT_UNBOUND_TOKENS;
  return declared === 'accept-as-bearer' ? 'accept-as-bearer' : 'refuse';
}

function checkPolicy(claims: AccessTokenClaims, policy: DpopPolicy | undefined): void {
  if (policy?.audience !== undefined) checkAudience(claims, policy.audience);
  if (policy?.scopes !== undefined) checkScope(claims, policy.scopes);
}
