/**
 * The closed set of reasons a request can be refused. Every rejection in libs/binding carries
 * exactly one member; the table below fixes, once, the RFC error value and HTTP status each
 * maps to. Logs and metrics key on the member, never on free text.
 */
export enum FailureType {
  // Framing (E1-E5, H1)
  MissingCredentials = 'missing_credentials',
  MalformedAuthorization = 'malformed_authorization',
  MultipleAuthorization = 'multiple_authorization',
  MultipleCredentialMechanisms = 'multiple_credential_mechanisms',
  MissingProof = 'missing_proof',
  MultipleProofs = 'multiple_proofs',
  ProofTooLarge = 'proof_too_large',
  // Proof syntax and signature (E6-E11, H2, H4)
  MalformedProof = 'malformed_proof',
  ProofType = 'proof_type',
  ProofAlgorithm = 'proof_algorithm',
  ProofKey = 'proof_key',
  ProofClaims = 'proof_claims',
  ProofSignature = 'proof_signature',
  // Request binding (E12-E14, H5, H7)
  HtmMismatch = 'htm_mismatch',
  HtuMismatch = 'htu_mismatch',
  InvalidRequestTarget = 'invalid_request_target',
  ProofAudience = 'proof_audience',
  ProofSubject = 'proof_subject',
  PayloadHashMismatch = 'payload_hash_mismatch',
  // O2: a covered header (W3C trace context) differs from the proof's `oth`, or was added or removed.
  TraceContextMismatch = 'trace_context_mismatch',
  // Freshness, nonces, replay (E15-E17, H6)
  ProofNotFresh = 'proof_not_fresh',
  NonceRequired = 'nonce_required',
  NonceInvalid = 'nonce_invalid',
  ProofReplayed = 'proof_replayed',
  ReplayStoreUnavailable = 'replay_store_unavailable',
  // Certificate (H3)
  CertificateUntrusted = 'certificate_untrusted',
  CertificateNotValidNow = 'certificate_not_valid_now',
  CertificateUsage = 'certificate_usage',
  // Access token (E18-E21, H8-H11)
  TokenMalformed = 'token_malformed',
  TokenSignature = 'token_signature',
  TokenExpired = 'token_expired',
  TokenIssuer = 'token_issuer',
  TokenAudience = 'token_audience',
  TokenType = 'token_type',
  TokenAlgorithm = 'token_algorithm',
  KeySetUnavailable = 'key_set_unavailable',
  AthMismatch = 'ath_mismatch',
  SchemeDowngrade = 'scheme_downgrade',
  UnboundToken = 'unbound_token',
  ConfirmationMismatch = 'confirmation_mismatch',
  ConfirmationMethod = 'confirmation_method',
  ActorMismatch = 'actor_mismatch',
  // Authorization (policy, H11, H12)
  InsufficientScope = 'insufficient_scope',
  CallerNotAllowed = 'caller_not_allowed',
  Revoked = 'revoked',
  RevocationsUnavailable = 'revocations_unavailable',
  // Token exchange (RFC 8693, at the STS)
  ExchangeNotAllowed = 'exchange_not_allowed',
  ExchangeInvalidRequest = 'exchange_invalid_request',
  ExchangeInvalidTarget = 'exchange_invalid_target',
  ExchangeInvalidScope = 'exchange_invalid_scope',
  // A check that failed for a reason none of the above names (a bug, an adapter that lacks what
  // the check reads): refused as unavailable, never accepted, the cause kept for the logs.
  CheckFailed = 'check_failed',
}

/** Error values from the RFCs: RFC 6750 §3.1, RFC 9449 §7.1 and §8, RFC 6749 §5.2, RFC 8693 §2.2.2. */
export type ErrorCode =
  | 'invalid_request'
  | 'invalid_token'
  | 'invalid_dpop_proof'
  | 'use_dpop_nonce'
  | 'insufficient_scope'
  | 'invalid_client'
  | 'invalid_grant'
  | 'invalid_scope'
  | 'invalid_target'
  | 'unauthorized_client'
  | 'temporarily_unavailable';

export interface FailureMapping {
  readonly code: ErrorCode;
  readonly status: 400 | 401 | 403 | 503;
}

const invalidRequest: FailureMapping = { code: 'invalid_request', status: 400 };
const invalidToken: FailureMapping = { code: 'invalid_token', status: 401 };
const invalidProof: FailureMapping = { code: 'invalid_dpop_proof', status: 401 };
const useNonce: FailureMapping = { code: 'use_dpop_nonce', status: 401 };
const forbidden: FailureMapping = { code: 'insufficient_scope', status: 403 };
const unavailable: FailureMapping = { code: 'temporarily_unavailable', status: 503 };

/**
 * One row per failure. Proof failures at an internal hop use `invalid_token` rather than
 * `invalid_dpop_proof`: RFC 8705 §3 answers a broken certificate binding with `invalid_token`,
 * and the hop proof is how that binding crosses the broker. `toHopMapping` applies it.
 */
export const FAILURES: Readonly<Record<FailureType, FailureMapping>> = Object.freeze({
  [FailureType.MissingCredentials]: invalidToken,
  [FailureType.MalformedAuthorization]: invalidRequest,
  [FailureType.MultipleAuthorization]: invalidRequest,
  [FailureType.MultipleCredentialMechanisms]: invalidRequest,
  [FailureType.MissingProof]: invalidRequest,
  [FailureType.MultipleProofs]: invalidRequest,
  [FailureType.ProofTooLarge]: invalidProof,
  [FailureType.MalformedProof]: invalidProof,
  [FailureType.ProofType]: invalidProof,
  [FailureType.ProofAlgorithm]: invalidProof,
  [FailureType.ProofKey]: invalidProof,
  [FailureType.ProofClaims]: invalidProof,
  [FailureType.ProofSignature]: invalidProof,
  [FailureType.HtmMismatch]: invalidProof,
  [FailureType.HtuMismatch]: invalidProof,
  [FailureType.InvalidRequestTarget]: invalidRequest,
  [FailureType.ProofAudience]: invalidProof,
  [FailureType.ProofSubject]: invalidProof,
  [FailureType.PayloadHashMismatch]: invalidProof,
  // Like pdh: the proof does not cover the message as received (invalid_token at a hop, RFC 8705 §3).
  [FailureType.TraceContextMismatch]: invalidProof,
  [FailureType.ProofNotFresh]: invalidProof,
  [FailureType.NonceRequired]: useNonce,
  [FailureType.NonceInvalid]: useNonce,
  [FailureType.ProofReplayed]: invalidProof,
  [FailureType.ReplayStoreUnavailable]: unavailable,
  [FailureType.CertificateUntrusted]: invalidToken,
  [FailureType.CertificateNotValidNow]: invalidToken,
  [FailureType.CertificateUsage]: invalidToken,
  [FailureType.TokenMalformed]: invalidToken,
  [FailureType.TokenSignature]: invalidToken,
  [FailureType.TokenExpired]: invalidToken,
  [FailureType.TokenIssuer]: invalidToken,
  [FailureType.TokenAudience]: invalidToken,
  [FailureType.TokenType]: invalidToken,
  [FailureType.TokenAlgorithm]: invalidToken,
  [FailureType.KeySetUnavailable]: unavailable,
  [FailureType.AthMismatch]: invalidProof,
  [FailureType.SchemeDowngrade]: invalidToken,
  [FailureType.UnboundToken]: invalidToken,
  [FailureType.ConfirmationMismatch]: invalidToken,
  [FailureType.ConfirmationMethod]: invalidToken,
  [FailureType.ActorMismatch]: invalidToken,
  [FailureType.InsufficientScope]: forbidden,
  [FailureType.CallerNotAllowed]: forbidden,
  [FailureType.Revoked]: invalidToken,
  // The revocations in force are not known yet (the feed has not loaded): retry, never accept.
  [FailureType.RevocationsUnavailable]: unavailable,
  // RFC 6749 §5.2: errors of the token endpoint are 400 unless stated otherwise (only invalid_client may be 401).
  [FailureType.ExchangeNotAllowed]: { code: 'unauthorized_client', status: 400 },
  [FailureType.ExchangeInvalidRequest]: invalidRequest,
  // RFC 8693 §2.2.2: "the invalid_target error code SHOULD be used" for an audience not served.
  [FailureType.ExchangeInvalidTarget]: { code: 'invalid_target', status: 400 },
  // RFC 6749 §5.2: "The requested scope is invalid, unknown, malformed, or exceeds the scope granted".
  [FailureType.ExchangeInvalidScope]: { code: 'invalid_scope', status: 400 },
  [FailureType.CheckFailed]: unavailable,
});

/** Internal hops have no DPoP: proof failures become `invalid_token` (RFC 8705 §3). */
export function toHopMapping(type: FailureType): FailureMapping {
  const mapping = FAILURES[type];
  return mapping.code === 'invalid_dpop_proof' ? invalidToken : mapping;
}
