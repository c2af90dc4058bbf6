import { decodeProtectedHeader } from 'jose';
import { isCanonicalBase64url } from '../crypto/canonical-base64url.js';
import { BindingError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import type { CertificateKeyAlgorithm } from '../mtls/certificate-key.js';
import { isNumericDate } from '../time/numeric-date.js';

/** The media type of a hop proof, in the `typ` header (ARCHITECTURE "Internal hops"). */
export const HOP_PROOF_TYPE = 'hop+jwt';
/** A jti is a UUID or 128 bits of base64url from our signer; anything far longer is refused. */
export const MAX_HOP_JTI_LENGTH = 256; // characters

export interface HopProofHeader {
  readonly typ: typeof HOP_PROOF_TYPE;
  readonly alg: CertificateKeyAlgorithm;
  /** RFC 7515 §4.1.6: the sender's certificate first, then any intermediates; standard base64 DER. */
  readonly x5c: readonly string[];
}

export interface HopProofClaims {
  readonly jti: string;
  readonly iat: number;
  /** WIMSE WPT: required, short. checkProofExpiry bounds it to the `iat` window. */
  readonly exp: number;
  /** The receiving service's SPIFFE ID. */
  readonly aud: string;
  /** The NATS subject the message is sent to. */
  readonly sub: string;
  /** base64url(SHA-256(Hop-Token as sent)). */
  readonly ath: string;
  /** payloadHash(payload): base64url(SHA-256(RFC 8785 JSON)). */
  readonly pdh: string;
  /**
   * WIMSE WPT `oth` ("other token hashes"): base64url(SHA-256(value)) of each covered header sent
   * with the message, by lower-case name (the W3C trace context); absent when none was sent.
   */
  readonly oth?: Readonly<Record<string, string>>;
}

/**
 * A hop proof whose framing and header passed H2, not yet verified: nothing in it is to be
 * believed before checkHopProofSignature, and its claims are not even decoded until then.
 */
export interface ParsedHopProof {
  readonly header: HopProofHeader;
  /** The compact JWS exactly as received, for jose's compactVerify. */
  readonly jws: string;
}

/** RFC 7515 §2 base64url "with all trailing '=' characters omitted", nothing else. */
const BASE64URL = /^[A-Za-z0-9_-]+$/;
/** A malformed UTF-8 sequence throws instead of turning into U+FFFD (the JSON is then refused). */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * H2: the Hop-Proof value is one JWS in compact serialization (RFC 7515 §7.1, three non-empty
 * base64url segments) whose protected header has `typ` `hop+jwt`, an `alg` from the allow-list and
 * an `x5c` array of strings. Steps, cheapest first:
 *   1. three base64url segments (a five-segment JWE or a JSON serialization fails), checked here
 *      because jose's decodeProtectedHeader also takes a JWE and looks at the first segment only;
 *      the signature in its one canonical spelling;
 *   2. the header, decoded by jose's decodeProtectedHeader (base64url, strict UTF-8, a JSON object);
 *   3. checkHopProofHeader.
 * Does not decode the claims (parseHopProofClaims does, from the bytes jose has verified), nor check
 * the certificate or the signature: the steps after it do.
 */
export function parseHopProof(proof: string, algorithms: readonly CertificateKeyAlgorithm[]): ParsedHopProof {
  const segments = proof.split('.');
  if (segments.length !== 3 || !segments.every((segment) => BASE64URL.test(segment))) {
    throw new BindingError(FailureType.MalformedProof, 'hop proof is not a compact JWS');
  }
  // One proof, one string: another spelling of the same signature is refused (isCanonicalBase64url).
  if (!isCanonicalBase64url(segments[2]!)) throw new BindingError(FailureType.MalformedProof, 'hop proof signature is not in canonical base64url');
  let header: Readonly<Record<string, unknown>>;
  try {
    header = decodeProtectedHeader(proof);
  } catch (cause) {
    throw new BindingError(FailureType.MalformedProof, 'hop proof header is not a base64url JSON object', { cause });
  }
  return { header: checkHopProofHeader(header, algorithms), jws: proof };
}

/**
 * H2 header checks. RFC 7515 §4.1.11 `crit`: "If any of the listed extension Header Parameters
 * are not understood and supported by the recipient, then the JWS is invalid"; no extension is
 * supported here, so any `crit` fails. This check is ours, not jose's: jose understands `b64`
 * (RFC 7797) and would accept `crit: ["b64"]`. `typ` is compared exactly: our signer writes it so,
 * and accepting the RFC 7515 §4.1.9 `application/` prefix or another case would only widen the
 * input. RFC 8725 §3.1: `alg` "MUST" come from the allow-list; `none` and MACs are never in it.
 * The key comes only from `x5c`: `jwk`, `jku`, `x5u`, `kid` and `x5t` are ignored, never fetched.
 * Does not decode or validate the certificates: the certificate path validator does.
 */
export function checkHopProofHeader(
  header: Readonly<Record<string, unknown>>,
  algorithms: readonly CertificateKeyAlgorithm[],
): HopProofHeader {
  if (header.typ !== HOP_PROOF_TYPE) {
    throw new BindingError(FailureType.ProofType, 'hop proof typ is not hop+jwt');
  }
  const alg = header.alg;
  if (typeof alg !== 'string' || !(algorithms as readonly string[]).includes(alg)) {
    throw new BindingError(FailureType.ProofAlgorithm, 'hop proof alg is not allowed');
  }
  if (Object.hasOwn(header, 'crit')) {
    throw new BindingError(FailureType.MalformedProof, 'hop proof names critical header parameters this service does not support');
  }
  const x5c = header.x5c;
  if (!Array.isArray(x5c) || x5c.length === 0 || !x5c.every((entry) => typeof entry === 'string')) {
    throw new BindingError(FailureType.MalformedProof, 'hop proof x5c must be a non-empty array of strings');
  }
  return { typ: HOP_PROOF_TYPE, alg: alg as CertificateKeyAlgorithm, x5c: x5c as string[] };
}

/**
 * H2 claims, read from the payload bytes that jose's compactVerify returned (RFC 7519 §7.2 (10):
 * the JWS payload is the claims set, "a UTF-8-encoded JSON object"), so no claim is read before the
 * signature has verified. Strict UTF-8, then a JSON object (jose offers no public decoder for a
 * verified compact JWS payload), else MalformedProof; then checkHopProofClaims.
 * Does not compare any value: the H5-H7 checks do.
 */
export function parseHopProofClaims(payload: Uint8Array): HopProofClaims {
  let value: unknown;
  try {
    value = JSON.parse(strictUtf8.decode(payload));
  } catch (cause) {
    throw new BindingError(FailureType.MalformedProof, 'hop proof claims are not valid JSON', { cause });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new BindingError(FailureType.MalformedProof, 'hop proof claims are not a JSON object');
  }
  return checkHopProofClaims(value as Readonly<Record<string, unknown>>);
}

/**
 * H2 claims: `jti` a non-empty string of at most MAX_HOP_JTI_LENGTH characters, `iat` and `exp`
 * NumericDates (RFC 7519 §2, fractions allowed, as the WIMSE Workload Proof Token and E10 take it;
 * our signer writes whole seconds, another may not; WPT makes `exp` REQUIRED), `aud`, `sub`,
 * `ath` and `pdh` non-empty strings. `aud` is one string, not an array: a hop proof is for exactly one receiver.
 * `oth`, when present, a JSON object of at most MAX_OTH_MEMBERS non-empty string members (its
 * names and hashes are compared by checkOtherTokenHashes).
 * Unknown claims are ignored. Fails with ProofClaims.
 * Does not compare any value: checkProofAudience, checkProofIat, checkAth and the others (H5-H7) do.
 */
export function checkHopProofClaims(claims: Readonly<Record<string, unknown>>): HopProofClaims {
  const { jti, iat, exp, aud, sub, ath, pdh, oth } = claims;
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > MAX_HOP_JTI_LENGTH) {
    throw new BindingError(FailureType.ProofClaims, 'hop proof jti is missing, empty or too long');
  }
  if (!isNumericDate(iat)) {
    throw new BindingError(FailureType.ProofClaims, 'hop proof iat is missing or not a NumericDate');
  }
  if (!isNumericDate(exp)) {
    throw new BindingError(FailureType.ProofClaims, 'hop proof exp is missing or not a NumericDate');
  }
  for (const [name, value] of [['aud', aud], ['sub', sub], ['ath', ath], ['pdh', pdh]] as const) {
    if (typeof value !== 'string' || value.length === 0) {
      throw new BindingError(FailureType.ProofClaims, `hop proof ${name} is missing or not a non-empty string`);
    }
  }
  const checked = { jti, iat, exp, aud: aud as string, sub: sub as string, ath: ath as string, pdh: pdh as string };
  return oth === undefined ? checked : { ...checked, oth: checkOth(oth) };
}

/** `oth` members a proof may carry: the covered headers are two; a few more are never needed. */
export const MAX_OTH_MEMBERS = 8;

function checkOth(oth: unknown): Readonly<Record<string, string>> {
  if (typeof oth !== 'object' || oth === null || Array.isArray(oth)) {
    throw new BindingError(FailureType.ProofClaims, 'hop proof oth is not a JSON object');
  }
  const entries = Object.entries(oth);
  if (entries.length === 0 || entries.length > MAX_OTH_MEMBERS || !entries.every(([, hash]) => typeof hash === 'string' && hash.length > 0)) {
    throw new BindingError(FailureType.ProofClaims, `hop proof oth must hold 1 to ${MAX_OTH_MEMBERS} non-empty string members`);
  }
  return Object.freeze(Object.fromEntries(entries) as Record<string, string>);
}
