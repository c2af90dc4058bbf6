// `@hybrid-estate/binding`: what both pipelines share. Errors and the closed failure enum, the
// clock, the shared types, the access-token verifier (jose) and the in-memory replay and
// revocation stores. Needs only the package's own dependencies (jose, lru-cache). Listed by hand.

// The access-token verifier (E18, H8), used by the DPoP verifier and by the hop verifier alike
export { createAccessTokenVerifier } from '../token/verify-access-token.js';
export { verifyPresentedToken } from '../token/verify-presented-token.js';
export { DEFAULT_TOKEN_ALGORITHMS, type AccessTokenVerifierOptions, type TypRequirement } from '../token/access-token-verifier-options.js';
export type { AccessTokenClaims, AccessTokenVerifier, Actor, ConfirmationMethod } from '../token/access-token.js';
// Errors: a protocol failure (BindingError) or a configuration mistake (BindingConfigError)
export { BindingConfigError, BindingError, type BindingErrorOptions } from '../errors/binding-error.js';
export { FAILURES, FailureType, type ErrorCode, type FailureMapping } from '../errors/failure-type.js';
// Stores in memory (one process); on JetStream see `@hybrid-estate/binding/hop`
export type { ReplayStore } from '../replay/replay-store.js';
export {
  DEFAULT_REPLAY_MAX_ENTRIES, DEFAULT_REPLAY_MAX_ENTRIES_PER_SCOPE, MemoryReplayStore, type MemoryReplayStoreOptions,
} from '../replay/memory-replay-store.js';
export { CappedReplayStore, type ClosableReplayStore } from '../replay/capped-replay-store.js';
export type { RevocationEntry, RevocationList } from '../revocation/revocation-list.js';
export {
  DEFAULT_REVOCATION_MAX_ENTRIES, MemoryRevocationList, type MemoryRevocationListOptions, type RevocationApplyResult,
} from '../revocation/memory-revocation-list.js';
export { LoadingRevocationList } from '../revocation/loading-revocation-list.js';
// RFC 8693 §3 token type URIs, the verified token a handler calls onward with, and the clock
export { ACCESS_TOKEN_TYPE, JWT_TOKEN_TYPE } from '../token/token-types.js';
export { SubjectToken } from '../token/subject-token.js';
export { systemClock, type Clock } from '../time/clock.js';
// The shared rules, each written once: SPIFFE ID, RFC 6749 scope, integer range
export { MAX_SPIFFE_ID_LENGTH, spiffeIdProblem } from '../mtls/spiffe-id.js';
export { isScopeToken, parseScope } from '../token/scope-token.js';
export { integerRangeProblem, isIntegerIn } from '../options/integer-range.js';
// The widest either side of a proof's iat window may be set, DPoP and hop alike (E16, H6)
export { MAX_IAT_WINDOW_S } from '../time/iat-window.js';
// The observer seam (O1-O3): told of every decision, never of a token
export type { BindingDecision, BindingObserver, TraceContextHeaders } from '../observe/binding-observer.js';
