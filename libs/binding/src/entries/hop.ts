// `@hybrid-estate/binding/hop`: certificate-bound internal hops over NATS (RFC 8705 with a hop
// proof; SECURITY.md H1-H13): the hop verifier, proof signing, certificate paths, revocation, the
// STS keys over NATS, JetStream replay store and the outbound client. Needs @nats-io/*,
// @peculiar/x509 and canonicalize 2.x; not Nest: the outbound client sends through a HopTransport,
// which `@hybrid-estate/binding/nest/rpc` builds over Nest's ClientNats (clientProxyTransport).
// Listed by hand.

// The receiving side (H1-H13)
export {
  createHopVerifier, DEFAULT_HOP_ALGORITHMS, DEFAULT_HOP_IAT_FUTURE_S, DEFAULT_HOP_IAT_PAST_S,
  DEFAULT_MAX_HOP_PROOF_LENGTH, DEFAULT_MAX_HOP_TOKEN_LENGTH,
  type HopPolicy, type HopRequest, type HopVerifier, type HopVerifierOptions, type VerifiedHop,
} from '../hop/verify-hop-proof.js';
export {
  createCallerProofVerifier, type CallerProofRequest, type CallerProofVerifier, type CallerProofVerifierOptions, type VerifiedCallerProof,
} from '../hop/verify-caller-proof.js';
export type { HopProofVerifierOptions } from '../hop/hop-verifier-options.js';
// The calling side: proofs, token exchange (RFC 8693) and the outbound client
export { createHopProofSigner, type HopProofInput, type HopProofSigner, type HopProofSignerOptions } from '../hop/sign-hop-proof.js';
export { pinnedSigner, RotatingHopProofSigner } from '../hop/rotating-hop-proof-signer.js';
export {
  createOutboundClient, DEFAULT_EXCHANGE_SUBJECT, DEFAULT_EXCHANGE_TIMEOUT_MS, DEFAULT_OUTBOUND_TIMEOUT_MS,
  type OutboundCall, type OutboundClient, type OutboundClientOptions,
} from '../outbound/outbound-client.js';
export type { HopTransport, HopTransportRequest } from '../outbound/hop-transport.js';
export { HOP_PROOF_HEADER, HOP_TOKEN_HEADER } from '../hop/hop-header-names.js';
export { OutboundRefusedError, OutboundUnavailableError, type OutboundStage, type UnavailableReason } from '../outbound/outbound-errors.js';
export type { OutboundObservation, OutboundObserver, OutboundOutcome, OutboundRequestInfo } from '../observe/binding-observer.js';
export { DEFAULT_EXCHANGE_CACHE_MAX_ENTRIES, DEFAULT_REFRESH_BEFORE_EXPIRY_S, type ExchangedToken } from '../outbound/exchanged-token-cache.js';
export {
  INTERNAL_TOKEN_TYPE, parseTokenExchangeResponse, TOKEN_EXCHANGE_GRANT_TYPE, type TokenExchangeRequest, type TokenExchangeResponse,
} from '../outbound/token-exchange-message.js';
// Certificates (H3, H10) and workload identities
export {
  createCertificatePathValidator, DEFAULT_CHAIN_CACHE_SIZE, DEFAULT_MAX_CHAIN_LENGTH,
  type CertificatePathOptions, type CertificatePathValidator, type ValidatedCertificate,
} from '../mtls/certificate-path.js';
export { RotatingCertificatePathValidator } from '../mtls/rotating-certificate-path-validator.js';
export { checkSpiffeId } from '../mtls/spiffe-id.js';
export { checkConfirmationMethod, confirmationMethodOf } from '../token/check-confirmation.js';
export { actorChainOf } from '../hop/check-actor.js';
// Revocation (H12) and shared stores on NATS (S1)
export { checkCertificatePathNotRevoked, checkNotRevoked, type CertificatePathThumbprints } from '../revocation/revocation-list.js';
export { startRevocationFeed, type RevocationFeed, type RevocationFeedOptions, type RevocationFeedProblem } from '../revocation/revocation-feed.js';
export type { RevocationApplied, RevocationObserver } from '../observe/binding-observer.js';
export { parseRevocationEvent, type RevocationEvent, type RevocationKind } from '../revocation/revocation-event.js';
export {
  DEFAULT_REPLAY_CLAIM_TIMEOUT_MS, DEFAULT_REPLAY_KEY_PREFIX, JetStreamReplayStore,
  type JetStreamReplayStoreOptions, type ReplayBucket, type ReplayConnection,
} from '../replay/jetstream-replay-store.js';
export {
  createNatsKeySet, DEFAULT_NATS_JWKS_CACHE_MAX_AGE_MS, DEFAULT_NATS_JWKS_COOLDOWN_MS, DEFAULT_NATS_JWKS_FAILURE_BACKOFF_MS,
  DEFAULT_NATS_JWKS_TIMEOUT_MS, type NatsKeySet, type NatsKeySetOptions,
} from '../token/nats-key-set.js';
