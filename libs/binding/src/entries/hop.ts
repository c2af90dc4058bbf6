// `@hybrid-estate/binding/hop`: certificate-bound internal hops over NATS (RFC 8705 with a hop
// proof; SECURITY.md H1-H13): the hop and caller-proof verifiers, certificate paths, the STS keys
// over NATS, the revocation feed and the JetStream replay store; proof signing and the outbound
// client; what a token service (the STS) checks. Needs @nats-io/*, @peculiar/x509 and
// canonicalize 2.x; not Nest: the outbound client sends through a HopTransport, which
// `@hybrid-estate/binding/nest/rpc` builds over Nest's ClientNats (clientProxyTransport).
// Listed by hand.

// The receiving side (H1-H13)
export { createHopVerifier, type HopVerifier, type HopVerifierOptions } from '../hop/verify-hop-proof.js';
export { createCallerProofVerifier, type CallerProofVerifier, type CallerProofVerifierOptions } from '../hop/verify-caller-proof.js';
export { createCertificatePathValidator, type CertificatePathValidator } from '../mtls/certificate-path.js';
export { RotatingCertificatePathValidator } from '../mtls/rotating-certificate-path-validator.js';
export { createNatsKeySet, type NatsKeySet } from '../token/nats-key-set.js';
export { JetStreamReplayStore } from '../replay/jetstream-replay-store.js';
// Revocation (H12): the feed, the events it carries
export { startRevocationFeed, type RevocationFeed, type RevocationFeedProblem } from '../revocation/revocation-feed.js';
export type { RevocationObserver } from '../observe/binding-observer.js';
export { parseRevocationEvent, type RevocationEvent } from '../revocation/revocation-event.js';
// The trace headers a hop proof covers (`oth`, O2): what a transport may read before the guard
export { COVERED_HEADERS } from '../hop/check-other-token-hashes.js';
// The calling side: proofs, token exchange (RFC 8693) and the outbound client
export { createHopProofSigner, type HopProofSigner } from '../hop/sign-hop-proof.js';
export { RotatingHopProofSigner } from '../hop/rotating-hop-proof-signer.js';
export { createOutboundClient, type OutboundClient } from '../outbound/outbound-client.js';
export { OutboundRefusedError, OutboundUnavailableError } from '../outbound/outbound-errors.js';
export type { OutboundObserver } from '../observe/binding-observer.js';
// A token service (the STS): the exchange messages, and the checks it runs on a subject token
export { INTERNAL_TOKEN_TYPE, TOKEN_EXCHANGE_GRANT_TYPE, type TokenExchangeResponse } from '../outbound/token-exchange-message.js';
export { checkConfirmationMethod } from '../token/check-confirmation.js';
export { actorChainOf } from '../hop/check-actor.js';
