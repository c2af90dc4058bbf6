import { createPrivateKey, createPublicKey, randomUUID, X509Certificate, type KeyObject } from 'node:crypto';
import { sha256Base64url } from '../crypto/digest.js';
import { createJwsKey, signJws, type JwsKey } from '../crypto/jws-signature.js';
import { BindingConfigError } from '../errors/binding-error.js';
import { CERTIFICATE_KEY_ALGORITHMS, keyAlgorithmOf, type CertificateKeyAlgorithm } from '../mtls/certificate-key.js';
import { isIntegerIn } from '../options/integer-range.js';
import { systemClock, type Clock } from '../time/clock.js';
import { DEFAULT_HOP_IAT_PAST_S } from './hop-verifier-options.js';
import { HOP_PROOF_TYPE, type HopProofClaims, type HopProofHeader } from './parse-hop-proof.js';
import { otherTokenHashes } from './check-other-token-hashes.js';
import { payloadHash } from './payload-hash.js';

/**
 * `exp` - `iat` of every proof (WIMSE WPT: `exp` REQUIRED and short): as long as a receiver's
 * default `iat` window accepts it, so `exp` never refuses a proof that `iat` still allows, and
 * never outlives what the replay store remembers.
 */
export const HOP_PROOF_LIFETIME_S = DEFAULT_HOP_IAT_PAST_S; // seconds

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]+?-----END CERTIFICATE-----/g;

export interface HopProofSignerOptions {
  /** The private key of this workload's certificate: a KeyObject, or PKCS#8 PEM text. */
  readonly privateKey: KeyObject | string;
  /** The certificate chain, leaf first, given in exactly one of three forms. */
  readonly x5c?: readonly string[];
  readonly certificateChainDer?: readonly Uint8Array[];
  readonly certificateChainPem?: string;
  /** Defaults to the one algorithm the key supports (ES256 for P-256, EdDSA for Ed25519). */
  readonly alg?: CertificateKeyAlgorithm;
  readonly clock?: Clock;
}

export interface HopProofInput {
  /** The receiving service's SPIFFE ID. */
  readonly audience: string;
  /** The NATS subject the request is published to. */
  readonly subject: string;
  /** The Hop-Token, exactly as it will be sent. */
  readonly token: string;
  /** The request data, exactly as it will be serialised (JSON). */
  readonly payload: unknown;
  /** Epoch seconds; defaults to the signer's clock. */
  readonly now?: number;
  /**
   * Headers sent with the message that the proof covers in `oth` (the W3C trace context,
   * COVERED_HEADERS, by lower-case name); absent or empty: no `oth`.
   */
  readonly otherTokens?: Readonly<Record<string, string>> | undefined;
}

export interface HopProofSigner {
  /** `x5t#S256` of this workload's certificate: what the STS puts in `cnf`. */
  readonly certificateThumbprint: string;
  /** Resolves to the Hop-Proof header value: a compact JWS. */
  sign(input: HopProofInput): Promise<string>;
}

/**
 * The outbound side of an internal hop (ARCHITECTURE "Call"): signs the Hop-Proof with the
 * private key of this workload's certificate. Built once per certificate: the key is imported,
 * checked against the certificate and bound to `alg` (createJwsKey), and the protected header
 * `{ typ, alg, x5c }` serialized and base64url-encoded, here; `sign` then only builds the claims
 * `{ jti, iat, exp, aud, sub, ath, pdh }` and signs `BASE64URL(header) '.' BASE64URL(claims)` with
 * node:crypto's one-shot sign (signJws; RFC 7515 §7.1; ES256 as the 64-octet R || S of RFC 7518
 * §3.4, EdDSA per RFC 8037 §3.1), nothing imported or re-encoded per proof.
 * `jti` is a random UUID (122 random bits). Throws BindingConfigError at construction when the key,
 * the chain or `alg` do not fit together; `sign` rejects with a TypeError for an input that cannot
 * be signed (empty audience, subject or token, a payload JSON cannot carry).
 * Does not validate the chain against a trust anchor: the receiver does.
 */
export function createHopProofSigner(options: HopProofSignerOptions): HopProofSigner {
  const privateKey = importPrivateKey(options.privateKey);
  const chain = chainOf(options);
  const leaf = new X509Certificate(chain[0]);
  if (!leaf.publicKey.equals(createPublicKey(privateKey))) {
    throw new BindingConfigError('hop signer private key does not belong to the leaf certificate');
  }
  const alg = options.alg ?? keyAlgorithmOrConfigError(leaf.publicKey);
  if (!CERTIFICATE_KEY_ALGORITHMS.includes(alg) || keyAlgorithmOrConfigError(leaf.publicKey) !== alg) {
    throw new BindingConfigError('hop signer alg must be ES256 for an EC P-256 key or EdDSA for an Ed25519 key');
  }
  const header = { typ: HOP_PROOF_TYPE, alg, x5c: chain.map((der) => der.toString('base64')) } satisfies HopProofHeader;
  // RFC 7515 §7.1: BASE64URL(UTF8(JWS Protected Header)), the same for every proof of this signer.
  const encodedHeader = Buffer.from(JSON.stringify(header), 'utf8').toString('base64url');
  const key = jwsKeyOrConfigError(alg, privateKey);
  const clock = options.clock ?? systemClock;

  async function signProof(input: HopProofInput): Promise<string> {
    for (const name of ['audience', 'subject', 'token'] as const) {
      if (typeof input[name] !== 'string' || input[name].length === 0) {
        throw new TypeError(`hop proof ${name} must be a non-empty string`);
      }
    }
    const iat = input.now ?? clock();
    if (!isIntegerIn(iat, 0)) throw new TypeError('hop proof now must be integer epoch seconds');
    const claims: HopProofClaims = {
      jti: randomUUID(),
      iat,
      exp: iat + HOP_PROOF_LIFETIME_S,
      aud: input.audience,
      sub: input.subject,
      ath: sha256Base64url(input.token),
      pdh: payloadHash(input.payload),
    };
    // O2: the trace context travels covered, so nothing between two workloads can splice a trace.
    const oth = otherTokenHashes(input.otherTokens);
    if (oth !== undefined) Object.assign(claims, { oth });
    const signingInput = `${encodedHeader}.${Buffer.from(JSON.stringify(claims), 'utf8').toString('base64url')}`;
    return `${signingInput}.${signJws(alg, key, signingInput).toString('base64url')}`;
  }

  return Object.freeze({ certificateThumbprint: sha256Base64url(chain[0]), sign: signProof });
}

function importPrivateKey(key: KeyObject | string): KeyObject {
  if (typeof key === 'string') {
    try {
      return createPrivateKey({ key, format: 'pem' });
    } catch (cause) {
      throw new BindingConfigError('hop signer privateKey is not a PEM private key', { cause });
    }
  }
  if (typeof key !== 'object' || key === null || (key as KeyObject).type !== 'private') {
    throw new BindingConfigError('hop signer privateKey must be a private KeyObject or PKCS#8 PEM');
  }
  return key;
}

function chainOf(options: HopProofSignerOptions): Buffer[] {
  const forms = [options.x5c, options.certificateChainDer, options.certificateChainPem].filter((form) => form !== undefined);
  if (forms.length !== 1) {
    throw new BindingConfigError('hop signer needs exactly one of x5c, certificateChainDer, certificateChainPem');
  }
  let chain: Buffer[];
  try {
    if (options.x5c !== undefined) chain = options.x5c.map((entry) => Buffer.from(entry, 'base64'));
    else if (options.certificateChainDer !== undefined) chain = options.certificateChainDer.map((der) => Buffer.from(der));
    else chain = (options.certificateChainPem!.match(PEM_CERTIFICATE) ?? []).map((pem) => new X509Certificate(pem).raw);
    // Each entry must be exactly one certificate, with no trailing bytes (the header re-encodes it).
    for (const der of chain) if (!new X509Certificate(der).raw.equals(der)) throw new Error('not one DER certificate');
  } catch (cause) {
    throw new BindingConfigError('hop signer certificate chain does not parse', { cause });
  }
  if (chain.length === 0) throw new BindingConfigError('hop signer certificate chain is empty');
  return chain;
}

function jwsKeyOrConfigError(alg: CertificateKeyAlgorithm, privateKey: KeyObject): JwsKey {
  try {
    return createJwsKey(alg, privateKey);
  } catch (cause) {
    throw new BindingConfigError(`hop signer key cannot sign ${alg}`, { cause });
  }
}

function keyAlgorithmOrConfigError(publicKey: KeyObject): CertificateKeyAlgorithm {
  try {
    return keyAlgorithmOf(publicKey);
  } catch (cause) {
    throw new BindingConfigError('hop signer key is neither EC P-256 nor Ed25519', { cause });
  }
}
