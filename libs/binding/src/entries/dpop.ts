// `@hybrid-estate/binding/dpop`: DPoP at the edge (RFC 9449; SECURITY.md E1-E26) without Nest:
// the request verifier, the issuer's keys, the challenge and what a resource publishes. Needs jose
// and lru-cache only. Listed by hand.

// The verifier (E1-E21) and its options
export { createDpopVerifier, type DpopRequest, type DpopVerifier } from '../dpop/verify-dpop-request.js';
export type { DpopVerifierOptions } from '../dpop/dpop-verifier-options.js';
// The authorization server's keys (E18)
export { createRemoteKeySet, discoverRemoteKeySet } from '../token/remote-key-set.js';
// Responses and what the resource publishes (E22, E24, E26)
export { dpopChallenge } from '../errors/www-authenticate.js';
export { dpopCorsOptions } from '../resource/dpop-cors.js';
export { protectedResourceMetadata } from '../resource/protected-resource-metadata.js';
