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
export { verifyPresentedToken } from './token/verify-presented-token.js';
export { DEFAULT_TOKEN_ALGORITHMS, type AccessTokenVerifierOptions, type TypRequirement } from './token/access-token-verifier-options.js';
export { checkAudience } from './token/check-audience.js';
export { checkScope } from './token/check-scope.js';
export { createRemoteKeySet, discoverRemoteKeySet, type DiscoveredKeySet, type RemoteKeySet, type RemoteKeySetOptions } from './token/remote-key-set.js';
export { discoverIssuerMetadata, type DiscoveryOptions, type IssuerMetadata } from './token/issuer-metadata.js';
export {
  DEFAULT_REPLAY_MAX_ENTRIES, DEFAULT_REPLAY_MAX_ENTRIES_PER_SCOPE, MemoryReplayStore, type MemoryReplayStoreOptions,
} from './replay/memory-replay-store.js';
export {
  DEFAULT_REPLAY_CLAIM_TIMEOUT_MS, DEFAULT_REPLAY_KEY_PREFIX, JetStreamReplayStore,
  type JetStreamReplayStoreOptions, type ReplayBucket, type ReplayConnection,
} from './replay/jetstream-replay-store.js';
export { CappedReplayStore, type ClosableReplayStore } from './replay/capped-replay-store.js';
export { dpopChallenge } from './errors/www-authenticate.js';
export { dpopCorsOptions, DPOP_CORS_MAX_AGE_S, type DpopCorsOptions } from './resource/dpop-cors.js';
export { PROTECTED_RESOURCE_METADATA_PATH, protectedResourceMetadata, type ProtectedResourceInput } from './resource/protected-resource-metadata.js';
// Nest layer
export { BindingModule, type BindingModuleAsyncOptions } from './nest/binding.module.js';
export { BINDING_OPTIONS, type BindingModuleOptions } from './nest/binding-options.js';
export { BINDING_POLICY, type BindingPolicy } from './nest/binding-policy.js';
export { BindingGuard } from './nest/binding.guard.js';
export { Bound } from './nest/bound.decorator.js';
export { Principal, principalOf, type BoundPrincipal, type PrincipalConfirmation } from './nest/principal.js';
export { SubjectToken } from './token/subject-token.js';
export { ACCESS_TOKEN_TYPE, JWT_TOKEN_TYPE } from './token/token-types.js';
export { HOP_PROOF_HEADER, HOP_TOKEN_HEADER } from './hop/hop-header-names.js';
export type { HopRefusal } from './nest/rpc-binding.js';
// Certificate side: hop proofs, certificate paths, revocation
export {
  createCertificatePathValidator, checkValidityPeriod, checkX5cSyntax, DEFAULT_CHAIN_CACHE_SIZE, DEFAULT_MAX_CHAIN_LENGTH,
  type CertificatePathOptions, type CertificatePathValidator, type ValidatedCertificate,
} from './mtls/certificate-path.js';
export { CERTIFICATE_KEY_ALGORITHMS, checkKeyMatchesAlgorithm, keyAlgorithmOf, type CertificateKeyAlgorithm } from './mtls/certificate-key.js';
export { checkSpiffeId } from './mtls/spiffe-id.js';
export { payloadHash } from './hop/payload-hash.js';
export { createHopProofSigner, HOP_PROOF_LIFETIME_S, type HopProofInput, type HopProofSigner, type HopProofSignerOptions } from './hop/sign-hop-proof.js';
export { pinnedSigner, RotatingHopProofSigner } from './hop/rotating-hop-proof-signer.js';
export { RotatingCertificatePathValidator } from './mtls/rotating-certificate-path-validator.js';
export {
  createHopVerifier, DEFAULT_HOP_ALGORITHMS, DEFAULT_HOP_IAT_FUTURE_S, DEFAULT_HOP_IAT_PAST_S,
  DEFAULT_MAX_HOP_PROOF_LENGTH, DEFAULT_MAX_HOP_TOKEN_LENGTH,
  type HopPolicy, type HopRequest, type HopVerifier, type HopVerifierOptions, type VerifiedHop,
} from './hop/verify-hop-proof.js';
export { checkSingleHopProof, checkSingleHopToken, type HopHeaderLimits, type HopHeaderValues } from './hop/check-hop-headers.js';
export {
  HOP_PROOF_TYPE, parseHopProof, parseHopProofClaims, type HopProofClaims, type HopProofHeader, type ParsedHopProof,
} from './hop/parse-hop-proof.js';
export {
  createCallerProofVerifier, type CallerProofRequest, type CallerProofVerifier, type CallerProofVerifierOptions, type VerifiedCallerProof,
} from './hop/verify-caller-proof.js';
export type { HopProofVerifierOptions } from './hop/hop-verifier-options.js';
export { checkHopProofSignature } from './hop/check-hop-proof-signature.js';
export { checkAth } from './token/check-ath.js';
export { checkPayloadHash, checkProofAudience, checkProofIat, checkProofSubject, type IatWindow } from './hop/check-hop-claims.js';
export { actorChainOf, checkActor, checkCaller } from './hop/check-actor.js';
export { claimOnce } from './replay/claim-once.js';
export { checkCertificatePathNotRevoked, checkNotRevoked, type CertificatePathThumbprints, type RevocationEntry, type RevocationList } from './revocation/revocation-list.js';
export { LoadingRevocationList } from './revocation/loading-revocation-list.js';
export { parseRevocationEvent, type RevocationEvent, type RevocationKind } from './revocation/revocation-event.js';
export {
  DEFAULT_REVOCATION_MAX_ENTRIES, MemoryRevocationList, type MemoryRevocationListOptions, type RevocationApplyResult,
} from './revocation/memory-revocation-list.js';
// DPoP at the edge (E1-E17, E19)
export { createDpopVerifier, type DpopPolicy, type DpopRequest, type DpopVerification, type DpopVerifier } from './dpop/verify-dpop-request.js';
export { DEFAULT_ALLOW_BEARER, type DpopVerifierOptions } from './dpop/dpop-verifier-options.js';
export { DEFAULT_UNBOUND_TOKENS, type UnboundTokenPolicy } from './dpop/check-scheme-binding.js';
export { DEFAULT_DPOP_ALGORITHMS, MAX_RSA_MODULUS_BITS } from './dpop/proof-algorithms.js';
export { MIN_RSA_MODULUS_BITS } from './crypto/jws-signature.js';
export { DEFAULT_MAX_PROOF_LENGTH, parseAuthorization, type AuthorizationScheme, type RequestCredentials } from './dpop/parse-authorization.js';
export { checkSingleCredentialMechanism } from './dpop/check-credential-mechanisms.js';
export { DEFAULT_MAX_JTI_LENGTH, type DpopProofClaims } from './dpop/parse-proof-claims.js';
export { DEFAULT_PROOF_KEY_CACHE_MAX_ENTRIES } from './dpop/proof-key-cache.js';
export { checkProofTime, DEFAULT_IAT_FUTURE_S, DEFAULT_IAT_PAST_S, type ProofTimeWindow } from './dpop/check-proof-time.js';
export { checkHtm } from './dpop/check-htm.js';
export { checkHtu } from './dpop/check-htu.js';
export { normalizeHttpUri } from './dpop/normalize-htu.js';
export { createEffectiveUriResolver, type EffectiveUriOptions, type EffectiveUriResolver, type RequestUriInput } from './dpop/effective-uri.js';
export { DEFAULT_NONCE_MODE, DEFAULT_NONCE_STEP_S, MIN_NONCE_SECRET_BYTES, NonceIssuer, type NonceMode, type NonceOptions } from './nonce/nonce-issuer.js';
// Internal hops, caller side and feeds: STS keys over NATS, revocation feed, outbound client
export {
  createNatsKeySet, DEFAULT_NATS_JWKS_CACHE_MAX_AGE_MS, DEFAULT_NATS_JWKS_COOLDOWN_MS, DEFAULT_NATS_JWKS_FAILURE_BACKOFF_MS,
  DEFAULT_NATS_JWKS_TIMEOUT_MS, type NatsKeySet, type NatsKeySetOptions,
} from './token/nats-key-set.js';
export { startRevocationFeed, type RevocationFeed, type RevocationFeedOptions, type RevocationFeedProblem } from './revocation/revocation-feed.js';
export { hopProofValuesOf } from './nest/rpc-binding.js';
export {
  createOutboundClient, DEFAULT_EXCHANGE_SUBJECT, DEFAULT_EXCHANGE_TIMEOUT_MS, DEFAULT_OUTBOUND_TIMEOUT_MS,
  type OutboundCall, type OutboundClient, type OutboundClientOptions,
} from './outbound/outbound-client.js';
export type { HopTransport, HopTransportRequest } from './outbound/hop-transport.js';
export { clientProxyTransport, type OutboundClientProxy } from './nest/client-proxy-transport.js';
export { OutboundRefusedError, OutboundUnavailableError, type OutboundStage, type UnavailableReason } from './outbound/outbound-errors.js';
export { DEFAULT_EXCHANGE_CACHE_MAX_ENTRIES, DEFAULT_REFRESH_BEFORE_EXPIRY_S, type ExchangedToken } from './outbound/exchanged-token-cache.js';
export {
  INTERNAL_TOKEN_TYPE, parseTokenExchangeResponse, TOKEN_EXCHANGE_GRANT_TYPE, type TokenExchangeRequest, type TokenExchangeResponse,
} from './outbound/token-exchange-message.js';
// --- Observability (issue 12, O1-O4): the observer seam and the trace-context claim. Kept in one block. ---
export {
  type BindingDecision, type BindingObserver, type OutboundObservation, type OutboundObserver, type OutboundOutcome,
  type OutboundRequestInfo, type RevocationApplied, type RevocationObserver, type TraceContextHeaders,
} from './observe/binding-observer.js';
export { checkOtherTokenHashes, COVERED_HEADERS, otherTokenHashes, type CoveredHeaderValues } from './hop/check-other-token-hashes.js';
export { coveredHeaderValuesOf } from './nest/rpc-binding.js';
// --- end Observability ---
