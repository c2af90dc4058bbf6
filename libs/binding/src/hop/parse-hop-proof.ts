import { BindingError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import type { CertificateKeyAlgorithm } from '../mtls/certificate-key.js';
import { checkX5cSyntax, MAX_CHAIN_LENGTH_LIMIT } from '../mtls/certificate-path.js';
import { splitCompactJws } from '../pop/compact-jws.js';
import { decodePopClaims, DEFAULT_MAX_JTI_LENGTH, readJti, readNonEmptyString, readNumericDate } from '../pop/pop-claims.js';
import { checkPopHeader, decodePopHeader } from '../pop/pop-header.js';
import type { PopProfile } from '../pop/pop-profile.js';

/** The media type of a hop proof, in the `typ` header (ARCHITECTURE "Internal hops"). */
export const HOP_PROOF_TYPE = 'hop+jwt';

/** The hop profile of the proof-of-possession JWS core (pop/): the key comes from `x5c`. */
export const HOP_PROFILE: PopProfile = Object.freeze({ name: 'hop proof', typ: HOP_PROOF_TYPE });

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
  /** The compact JWS exactly as received, for checkHopProofSignature. */
  readonly jws: string;
}

/**
 * H2: the Hop-Proof value is one JWS in compact serialization whose protected header has `typ`
 * `hop+jwt`, an `alg` from the allow-list and a well-formed `x5c`: the hop profile of the core's
 * framing and header steps, cheapest first:
 *   1. three base64url segments, the signature in its one canonical spelling (splitCompactJws);
 *   2. the header, strict UTF-8 JSON, an object (decodePopHeader);
 *   3. checkHopProofHeader.
 * With `cache` (built for this very allow-list), steps 2 and 3 run once per header segment: every
 * check they make is a function of that exact text and of the allow-list, and a signer sends the
 * same header with every proof, so a known sender skips the JSON and the x5c syntax; a header that
 * differs in any byte misses and is checked in full, and failures are never cached.
 * Does not decode the claims (parseHopProofClaims does, from the verified bytes), nor check the
 * certificates or the signature: the steps after it do.
 */
export function parseHopProof(
  proof: string,
  algorithms: readonly CertificateKeyAlgorithm[],
  cache?: { get(segment: string): HopProofHeader | undefined; set(segment: string, header: HopProofHeader): unknown },
): ParsedHopProof {
  const segment = splitCompactJws(proof, HOP_PROFILE).header;
  let header = cache?.get(segment);
  if (header === undefined) {
    header = checkHopProofHeader(decodePopHeader(segment, HOP_PROFILE), algorithms);
    cache?.set(segment, header);
  }
  return { header, jws: proof };
}

/**
 * H2 header checks: `typ` exactly `hop+jwt`, `alg` from the allow-list, no `crit` (checkPopHeader,
 * the core's), then the key parameter of this profile: `x5c`, checked here and only here
 * (checkX5cSyntax, RFC 7515 §4.1.6: standard base64 DER certificates, at most
 * MAX_CHAIN_LENGTH_LIMIT of them; the validator then applies its own configured count). The key
 * comes only from `x5c`: `jwk`, `jku`, `x5u`, `kid` and `x5t` are ignored, never fetched.
 * Does not decode or validate the certificates: the certificate path validator does (H3).
 */
export function checkHopProofHeader(
  header: Readonly<Record<string, unknown>>,
  algorithms: readonly CertificateKeyAlgorithm[],
): HopProofHeader {
  const alg = checkPopHeader(header, HOP_PROFILE, algorithms) as CertificateKeyAlgorithm;
  const x5c = header['x5c'];
  checkX5cSyntax(x5c, MAX_CHAIN_LENGTH_LIMIT);
  return Object.freeze({ typ: HOP_PROOF_TYPE, alg, x5c: Object.freeze([...x5c]) });
}

/**
 * H2 claims, read from the payload bytes checkHopProofSignature returned, so no claim is read
 * before the signature has verified: strict UTF-8 JSON, an object (decodePopClaims), else
 * MalformedProof; then checkHopProofClaims.
 * Does not compare any value: the H5-H7 checks do.
 */
export function parseHopProofClaims(payload: Uint8Array): HopProofClaims {
  return checkHopProofClaims(decodePopClaims(payload, HOP_PROFILE));
}

/**
 * H2 claims, with the core's claim readers (pop/pop-claims.ts): `jti` a non-empty string of at
 * most DEFAULT_MAX_JTI_LENGTH characters, `iat` and `exp` NumericDates (RFC 7519 §2, fractions allowed,
 * as the WIMSE Workload Proof Token and E10 take it; our signer writes whole seconds, another may
 * not; WPT makes `exp` REQUIRED), `aud`, `sub`, `ath` and `pdh` non-empty strings. `aud` is one
 * string, not an array: a hop proof is for exactly one receiver.
 * `oth`, when present, a JSON object of at most MAX_OTH_MEMBERS non-empty string members (its
 * names and hashes are compared by checkOtherTokenHashes).
 * Unknown claims are ignored. Fails with ProofClaims.
 * Does not compare any value: checkProofAudience, checkProofIat, checkAth and the others (H5-H7) do.
 */
export function checkHopProofClaims(claims: Readonly<Record<string, unknown>>): HopProofClaims {
  const checked = {
    jti: readJti(claims['jti'], DEFAULT_MAX_JTI_LENGTH, HOP_PROFILE),
    iat: readNumericDate(claims['iat'], 'iat', HOP_PROFILE),
    exp: readNumericDate(claims['exp'], 'exp', HOP_PROFILE),
    aud: readNonEmptyString(claims['aud'], 'aud', HOP_PROFILE),
    sub: readNonEmptyString(claims['sub'], 'sub', HOP_PROFILE),
    ath: readNonEmptyString(claims['ath'], 'ath', HOP_PROFILE),
    pdh: readNonEmptyString(claims['pdh'], 'pdh', HOP_PROFILE),
  };
  const oth = claims['oth'];
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
