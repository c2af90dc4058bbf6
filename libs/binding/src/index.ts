// The public surface of libs/binding, listed by hand: the repository's `#binding`. The same names,
// each from the package entry point that ships it (`@hybrid-estate/binding`, `/dpop`, `/nest`,
// `/nest/rpc`, `/hop`: ./entries), regrouped here entry points first. At most 80 names
// (entries/public-surface.spec.ts counts them); everything else is internal. README.md says what
// each is for.

// 1. The verifiers and their options
export { createDpopVerifier, type DpopRequest, type DpopVerifier, type DpopVerifierOptions } from './entries/dpop.js';
export { createHopVerifier, type HopVerifier, type HopVerifierOptions } from './entries/hop.js';
export { createCallerProofVerifier, type CallerProofVerifier, type CallerProofVerifierOptions } from './entries/hop.js';
export { createAccessTokenVerifier, verifyPresentedToken, type AccessTokenClaims, type AccessTokenVerifier, type AccessTokenVerifierOptions } from './entries/core.js';
export { createCertificatePathValidator, RotatingCertificatePathValidator, type CertificatePathValidator } from './entries/hop.js';
// ... and the keys they verify with: the authorization server's (HTTP) and the STS's (NATS)
export { createRemoteKeySet, discoverRemoteKeySet } from './entries/dpop.js';
export { createNatsKeySet, type NatsKeySet } from './entries/hop.js';

// 2. The Nest module, its decorators (@Bound puts the guard in front of a handler), the NATS side
export { BindingModule, Bound, Principal, type BindingModuleOptions, type BoundPrincipal } from './entries/nest.js';
export { callerProofRequestOf, clientProxyTransport, toRpcException } from './entries/nest/rpc.js';

// 3. Stores: replay (claim-once) and revocation
export { CappedReplayStore, MemoryReplayStore, type ReplayStore } from './entries/core.js';
export { JetStreamReplayStore } from './entries/hop.js';
export { checkNotRevoked, LoadingRevocationList, MemoryRevocationList, type RevocationList } from './entries/core.js';
export { parseRevocationEvent, startRevocationFeed, type RevocationEvent, type RevocationFeed, type RevocationFeedProblem } from './entries/hop.js';

// 4. Errors
export { BindingConfigError, BindingError, FAILURES, FailureType } from './entries/core.js';
export { OutboundRefusedError, OutboundUnavailableError } from './entries/hop.js';

// 5. The calling side of a hop: proofs, the outbound client, the token it exchanges
export { createHopProofSigner, createOutboundClient, RotatingHopProofSigner, type HopProofSigner, type OutboundClient } from './entries/hop.js';
export { SubjectToken } from './entries/core.js';

// 6. A token service (the STS): token types, the exchange messages, the checks on a subject token
export { ACCESS_TOKEN_TYPE, JWT_TOKEN_TYPE } from './entries/core.js';
export { actorChainOf, checkConfirmationMethod, INTERNAL_TOKEN_TYPE, TOKEN_EXCHANGE_GRANT_TYPE, type TokenExchangeResponse } from './entries/hop.js';

// 7. The shared rules, each written once: SPIFFE ID, RFC 6749 §3.3 scope, integer range
export { integerRangeProblem, isIntegerIn, isScopeToken, MAX_SPIFFE_ID_LENGTH, parseScope, spiffeIdProblem } from './entries/core.js';

// 8. What a DPoP resource sends and publishes (E22, E24, E26)
export { dpopChallenge, dpopCorsOptions, protectedResourceMetadata } from './entries/dpop.js';

// 9. Time and observation
export { DEFAULT_IAT_FUTURE_S, DEFAULT_IAT_PAST_S, MAX_IAT_WINDOW_S, type Clock } from './entries/core.js';
export type { BindingDecision, BindingObserver } from './entries/core.js';
export { COVERED_HEADERS, type OutboundObserver, type RevocationObserver } from './entries/hop.js';
