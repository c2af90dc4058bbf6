// `@hybrid-estate/binding`: what both pipelines share. The access-token verifier (jose), errors and
// the closed failure enum, the replay and revocation stores in memory, the token handle and types,
// the proof window's bounds, the clock, the shared rules and the observer seam. Needs only the package's own
// dependencies (jose, lru-cache). Listed by hand: with the other entries, the whole public surface
// (src/index.ts lists the same names).

// The access-token verifier (E18, H8), used by the DPoP verifier and by the hop verifier alike
export { createAccessTokenVerifier } from '../token/verify-access-token.js';
export { verifyPresentedToken } from '../token/verify-presented-token.js';
export type { AccessTokenVerifierOptions } from '../token/access-token-verifier-options.js';
export type { AccessTokenClaims, AccessTokenVerifier } from '../token/access-token.js';
// Errors: a protocol failure (BindingError) or a configuration mistake (BindingConfigError)
export { BindingConfigError, BindingError } from '../errors/binding-error.js';
export { FAILURES, FailureType } from '../errors/failure-type.js';
// Stores in memory (one process); on JetStream see `@hybrid-estate/binding/hop`
export type { ReplayStore } from '../replay/replay-store.js';
export { MemoryReplayStore } from '../replay/memory-replay-store.js';
export { CappedReplayStore } from '../replay/capped-replay-store.js';
export { checkNotRevoked, type RevocationList } from '../revocation/revocation-list.js';
export { MemoryRevocationList } from '../revocation/memory-revocation-list.js';
export { LoadingRevocationList } from '../revocation/loading-revocation-list.js';
// The verified token a handler calls onward with, and the RFC 8693 §3 token type URIs
export { SubjectToken } from '../token/subject-token.js';
export { ACCESS_TOKEN_TYPE, JWT_TOKEN_TYPE } from '../token/token-types.js';
// Time: the proof `iat` window's defaults and bound (E16, H6), the clock
export { DEFAULT_IAT_FUTURE_S, DEFAULT_IAT_PAST_S, MAX_IAT_WINDOW_S } from '../time/iat-window.js';
export type { Clock } from '../time/clock.js';
// The shared rules, each written once: SPIFFE ID, RFC 6749 §3.3 scope, integer range
export { MAX_SPIFFE_ID_LENGTH, spiffeIdProblem } from '../mtls/spiffe-id.js';
export { isScopeToken, parseScope } from '../token/scope-token.js';
export { integerRangeProblem, isIntegerIn } from '../options/integer-range.js';
// The observer seam (O1-O3): told of every decision, never of a token
export type { BindingDecision, BindingObserver } from '../observe/binding-observer.js';
