// The public surface of libs/binding, listed by hand. Apps import only from here ('#binding').
export { BindingConfigError, BindingError, type BindingErrorOptions } from './errors/binding-error.js';
export { FAILURES, FailureType, toHopMapping, type ErrorCode, type FailureMapping } from './errors/failure-type.js';
export { systemClock, type Clock } from './time/clock.js';
export type { ReplayStore } from './replay/replay-store.js';
export { constantTimeEqual, sha256Base64url } from './crypto/digest.js';
export type { AccessTokenClaims, AccessTokenVerifier, Actor, ConfirmationMethod } from './token/access-token.js';
export {
  checkCertificateThumbprint,
  checkConfirmationMethod,
  checkJktConfirmation,
  confirmationMethodOf,
} from './token/check-confirmation.js';
export { createAccessTokenVerifier } from './token/verify-access-token.js';
export { DEFAULT_TOKEN_ALGORITHMS, type AccessTokenVerifierOptions, type TypRequirement } from './token/access-token-verifier-options.js';
export { checkAudience } from './token/check-audience.js';
export { checkScope } from './token/check-scope.js';
export { createRemoteKeySet, discoverRemoteKeySet, type DiscoveredKeySet, type RemoteKeySet, type RemoteKeySetOptions } from './token/remote-key-set.js';
export { discoverIssuerMetadata, type DiscoveryOptions, type IssuerMetadata } from './token/issuer-metadata.js';
export { MemoryReplayStore, type MemoryReplayStoreOptions } from './replay/memory-replay-store.js';
