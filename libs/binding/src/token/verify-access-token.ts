import { jwtVerify, type JWTVerifyGetKey, type JWTVerifyOptions } from 'jose';
import { sha256Base64url } from '../crypto/digest.js';
import type { AccessTokenClaims, AccessTokenVerifier } from './access-token.js';
import { resolveVerifierOptions, type AccessTokenVerifierOptions, type ResolvedVerifierOptions } from './access-token-verifier-options.js';
import { checkAudience } from './check-audience.js';
import { checkClaimTypes } from './check-claim-types.js';
import { checkTokenSyntax } from './check-token-syntax.js';
import { checkTokenType } from './check-token-type.js';
import { classifyKeySourceErrors, mapTokenError } from './map-token-error.js';
import { VerifiedTokenCache } from './verified-token-cache.js';
import { VERIFY_WITH_DIGEST, type DigestAwareTokenVerifier } from './verify-presented-token.js';

/**
 * Creates the access-token verifier for one issuer and one audience (E18 at the edge, H8 at a hop).
 * The options are validated here, once; a mistake throws BindingConfigError.
 *
 * `verify(token)` runs, in order, cheap checks first and nothing compared before the signature:
 * 1. syntax: one compact JWS under the size cap (checkTokenSyntax);
 * 2. a cache hit returns the claims of the same token already verified, inside its validity
 *    (VerifiedTokenCache, keyed by base64url(SHA-256(token)): the same digest as `ath`, which the
 *    DPoP and hop verifiers compute once and pass in); a concurrent verification of the same
 *    token is shared, not repeated;
 * 3. the signature, with the header's `alg` in the allow-list and a key of the issuer's set,
 *    then `iss` (exact), `nbf`, `exp` with the leeway (jose's jwtVerify; RFC 9068 §4, RFC 8725 §3.1);
 * 4. `typ` (checkTokenType), `aud` (checkAudience), the claims' types (checkClaimTypes);
 * 5. the claims, deep-frozen, are cached until `exp` and returned.
 * Every failure is a BindingError with one failure type; a key set that cannot be fetched is
 * `KeySetUnavailable` (503), never a token fault. Failures are not cached.
 *
 * Does not check the confirmation method or its value (check-confirmation.ts), scope
 * (checkScope), the actor against the caller, or revocation: the binding and the policy do.
 */
export function createAccessTokenVerifier(options: AccessTokenVerifierOptions): AccessTokenVerifier {
  const config = resolveVerifierOptions(options);
  const keys = classifyKeySourceErrors(config.keys);
  const joseOptions = joseVerifyOptions(config);
  const cache = new VerifiedTokenCache(config.cacheMaxEntries, config.cacheMaxTtlSeconds, config.clock);
  const inFlight = new Map<string, Promise<AccessTokenClaims>>();

  /** Claims of a token whose syntax passed, by its digest: from the cache, shared, or verified now. */
  function claimsOf(token: string, key: string): AccessTokenClaims | Promise<AccessTokenClaims> {
    const cached = cache.get(key);
    if (cached !== undefined) return cached;
    const pending = inFlight.get(key);
    if (pending !== undefined) return pending;

    const checkedAt = config.clock();
    const verification = verifyFully(token, checkedAt, keys, joseOptions, config)
      .then((claims) => {
        cache.set(key, claims, checkedAt);
        return claims;
      })
      .finally(() => inFlight.delete(key));
    inFlight.set(key, verification);
    return verification;
  }

  const verifier: AccessTokenVerifier & DigestAwareTokenVerifier = {
    // The size cap before the token is hashed for the cache key.
    async verify(token: string): Promise<AccessTokenClaims> {
      checkTokenSyntax(token, config.maxTokenLength);
      return claimsOf(token, sha256Base64url(token));
    },
    // The DPoP and hop verifiers pass the digest they computed for `ath` (verifyPresentedToken):
    // the cache key and `ath` are the same SHA-256, computed once per request.
    async [VERIFY_WITH_DIGEST](token: string, digest: string): Promise<AccessTokenClaims> {
      checkTokenSyntax(token, config.maxTokenLength);
      return claimsOf(token, digest);
    },
  };
  return Object.freeze(verifier);
}

async function verifyFully(
  token: string,
  checkedAt: number,
  keys: JWTVerifyGetKey,
  joseOptions: JWTVerifyOptions,
  config: ResolvedVerifierOptions,
): Promise<AccessTokenClaims> {
  let verified: Awaited<ReturnType<typeof jwtVerify>>;
  try {
    verified = await jwtVerify(token, keys, { ...joseOptions, currentDate: new Date(checkedAt * 1000) });
  } catch (error) {
    throw mapTokenError(error);
  }
  checkTokenType(verified.protectedHeader, config.typ);
  checkAudience(verified.payload, config.audience);
  checkClaimTypes(verified.payload, config.maxActorDepth);
  return deepFreeze(verified.payload) as AccessTokenClaims;
}

function joseVerifyOptions(config: ResolvedVerifierOptions): JWTVerifyOptions {
  return Object.freeze({
    // RFC 8725 §3.1: "libraries MUST enable the caller to specify a supported set of algorithms and
    // MUST NOT use any other algorithms when performing cryptographic operations".
    algorithms: [...config.algorithms],
    // RFC 9068 §4: the issuer identifier "MUST exactly match the value of the iss claim".
    issuer: config.issuer,
    // RFC 9068 §2.2: iss, exp, aud, sub are REQUIRED. RFC 9068 §4: "The current time MUST be
    // before the time represented by the exp claim. Implementers MAY provide for some small leeway".
    requiredClaims: ['iss', 'sub', 'exp', 'aud'],
    clockTolerance: config.clockToleranceSeconds,
  });
}

/** Claims are shared by every caller of a cached token: none may change them for another. */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value)) deepFreeze(member);
  }
  return value;
}
