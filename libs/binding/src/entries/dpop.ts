// `@hybrid-estate/binding/dpop`: DPoP at the edge (RFC 9449; SECURITY.md E1-E26) without Nest:
// the request verifier, the issuer's keys, nonces, the challenge and what a resource publishes.
// Needs jose and lru-cache only. Listed by hand.

// The verifier (E1-E21) and its options
export { createDpopVerifier, type DpopPolicy, type DpopRequest, type DpopVerification, type DpopVerifier } from '../dpop/verify-dpop-request.js';
export { DEFAULT_ALLOW_BEARER, type DpopVerifierOptions } from '../dpop/dpop-verifier-options.js';
export { DEFAULT_UNBOUND_TOKENS, type UnboundTokenPolicy } from '../dpop/check-scheme-binding.js';
export type { EffectiveUriOptions, RequestUriInput } from '../dpop/effective-uri.js';
// The authorization server's keys (E18)
export { createRemoteKeySet, discoverRemoteKeySet, type DiscoveredKeySet, type RemoteKeySet, type RemoteKeySetOptions } from '../token/remote-key-set.js';
export { discoverIssuerMetadata, type DiscoveryOptions, type IssuerMetadata } from '../token/issuer-metadata.js';
// Server nonces (E15)
export { DEFAULT_NONCE_MODE, DEFAULT_NONCE_STEP_S, MIN_NONCE_SECRET_BYTES, NonceIssuer, type NonceMode, type NonceOptions } from '../nonce/nonce-issuer.js';
// Responses and what the resource publishes (E22, E24, E26)
export { dpopChallenge } from '../errors/www-authenticate.js';
export { dpopCorsOptions, DPOP_CORS_MAX_AGE_S, type DpopCorsOptions } from '../resource/dpop-cors.js';
export { PROTECTED_RESOURCE_METADATA_PATH, protectedResourceMetadata, type ProtectedResourceInput } from '../resource/protected-resource-metadata.js';
// Defaults, with their units in the name
export { DEFAULT_DPOP_ALGORITHMS, MAX_RSA_MODULUS_BITS } from '../dpop/proof-algorithms.js';
export { MIN_RSA_MODULUS_BITS } from '../crypto/jws-signature.js';
export { DEFAULT_IAT_FUTURE_S, DEFAULT_IAT_PAST_S } from '../dpop/check-proof-time.js';
export { DEFAULT_MAX_PROOF_LENGTH } from '../dpop/parse-authorization.js';
export { DEFAULT_MAX_JTI_LENGTH } from '../dpop/parse-proof-claims.js';
export { DEFAULT_PROOF_KEY_CACHE_MAX_ENTRIES } from '../dpop/proof-key-cache.js';
