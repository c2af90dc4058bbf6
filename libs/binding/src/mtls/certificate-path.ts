import { createHash, X509Certificate, type KeyObject } from 'node:crypto';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { LRUCache } from 'lru-cache';
import { sha256Base64url } from '../crypto/digest.js';
import { BindingConfigError, BindingError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import { integerOption } from '../options/integer-range.js';
import { systemClock, type Clock } from '../time/clock.js';
import { keyAlgorithmOf, type CertificateKeyAlgorithm } from './certificate-key.js';
import {
  checkCriticalExtensions,
  checkLeafCertificate,
  checkPathLength,
  checkSigningCertificate,
} from './check-certificate-extensions.js';
import { checkTrustDomainConfig } from './spiffe-id.js';

export const DEFAULT_MAX_CHAIN_LENGTH = 4; // certificates in x5c, the leaf included
export const DEFAULT_CHAIN_CACHE_SIZE = 1000; // validated chains kept
/** The most certificates any `x5c` may hold (H2) and any validator be configured for. */
export const MAX_CHAIN_LENGTH_LIMIT = 16; // certificates; a configuration above this is a mistake
const MAX_CERTIFICATE_LENGTH = 8192; // base64 characters per x5c entry
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]+?-----END CERTIFICATE-----/g;

/** The sender identity a valid `x5c` proves. Frozen; shared between requests through the cache. */
export interface ValidatedCertificate {
  /** The leaf's one URI SAN, e.g. `spiffe://estate.local/orders`. */
  readonly spiffeId: string;
  /** base64url(SHA-256(leaf DER)): the RFC 8705 §3.1 `x5t#S256` value. */
  readonly thumbprint: string;
  /**
   * `x5t#S256` of every certificate of the path, leaf (`thumbprint`) first, the trust anchor last,
   * for checkCertificatePathNotRevoked (H12). Always set here; absent (another validator), that
   * check fails closed.
   */
  readonly pathThumbprints?: readonly string[];
  readonly publicKey: KeyObject;
  readonly keyAlgorithm: CertificateKeyAlgorithm;
}

export interface CertificatePathOptions {
  /** PEM text holding the estate CA certificate(s); one string may hold several blocks. */
  readonly trustAnchorsPem: string | readonly string[];
  /** The SPIFFE trust domain every sender must belong to, e.g. `estate.local`. */
  readonly trustDomain: string;
  readonly clock?: Clock;
  readonly maxChainLength?: number;
  readonly cacheSize?: number;
}

export interface CertificatePathValidator {
  validate(x5c: readonly string[]): ValidatedCertificate;
}

interface ParsedCertificate {
  readonly der: Buffer;
  readonly certificate: X509Certificate;
  readonly fields: x509.X509Certificate;
  readonly notBefore: number; // epoch seconds
  readonly notAfter: number; // epoch seconds
}

interface CachedChain {
  readonly certificate: ValidatedCertificate;
  readonly notBefore: number; // latest notBefore in the path, epoch seconds
  readonly notAfter: number; // earliest notAfter in the path, epoch seconds
}

/**
 * H3: builds the validator of hop-proof certificate chains once, at start-up.
 *
 * Signatures and issuer names are checked with node:crypto (OpenSSL's X509_check_issued and
 * X509_verify, synchronous, KeyObjects reused for the proof signature); the extensions (SAN, key
 * usage, extended key usage, basic constraints) are read with @peculiar/x509, which parses them
 * as structures where node:crypto only offers display strings. Parsing costs about a millisecond,
 * so validated chains are cached by SHA-256 of the `x5c` strings; a hit re-checks the validity
 * period against the clock, so the cache never accepts what a full check would refuse. The
 * anchors and trust domain are fixed at construction: build a new validator to rotate them.
 * Does not check revocation (RFC 5280 §6.1.3 (a)(3)): the result's `pathThumbprints`, hashed on a
 * miss and cached, let checkCertificatePathNotRevoked look the whole path up on every request
 * (H12). Nor name constraints or certificate policies (a certificate marking either critical is
 * refused), nor restrict the algorithms certificates are signed with beyond what OpenSSL verifies.
 */
export function createCertificatePathValidator(options: CertificatePathOptions): CertificatePathValidator {
  const trustDomain = checkTrustDomainConfig(options.trustDomain);
  const anchors = parseTrustAnchors(options.trustAnchorsPem);
  const maxChainLength = integerOption(options.maxChainLength ?? DEFAULT_MAX_CHAIN_LENGTH, 'maxChainLength', 1, MAX_CHAIN_LENGTH_LIMIT);
  const cache = new LRUCache<string, CachedChain>({
    max: integerOption(options.cacheSize ?? DEFAULT_CHAIN_CACHE_SIZE, 'cacheSize', 1),
  });
  const clock = options.clock ?? systemClock;

  function validate(x5c: readonly string[]): ValidatedCertificate {
    // The x5c syntax is the proof header's, checked once per request at H2 (checkX5cSyntax); here
    // only this validator's own count. The cache key tells any two lists of strings apart.
    checkChainLength(x5c, maxChainLength);
    const key = cacheKey(x5c);
    const cached = cache.get(key);
    if (cached !== undefined) {
      checkValidityPeriod(cached, clock());
      return cached.certificate;
    }
    const chain = x5c.map(parseCertificate);
    const path = checkPath(chain, anchors);
    const entry = validityOf(path);
    checkValidityPeriod(entry, clock());
    const leaf = chain[0];
    const spiffeId = checkLeafCertificate(leaf.fields, trustDomain);
    const publicKey = leaf.certificate.publicKey;
    // RFC 8705 §3.1 x5t#S256, base64url(SHA-256(DER)): hashed on a miss only, then served cached.
    const pathThumbprints = Object.freeze(path.map((certificate) => sha256Base64url(certificate.der)));
    const certificate: ValidatedCertificate = Object.freeze({
      spiffeId,
      thumbprint: pathThumbprints[0],
      pathThumbprints,
      publicKey,
      keyAlgorithm: keyAlgorithmOf(publicKey),
    });
    cache.set(key, { ...entry, certificate });
    return certificate;
  }

  return Object.freeze({ validate });
}

/**
 * H2: RFC 7515 §4.1.6: "Each string in the array is a base64-encoded (Section 4 of [RFC4648] --
 * not base64url-encoded) DER [ITU.X690.2008] PKIX certificate value." A non-empty array, at most
 * `maxChainLength` entries, each padded standard base64 under a size cap. The hop proof's header
 * check runs it, once per request, before the path validator sees the list. Fails with
 * MalformedProof. Does not decode or parse the certificates: parseCertificate does.
 */
export function checkX5cSyntax(x5c: unknown, maxChainLength: number): asserts x5c is readonly string[] {
  checkChainLength(x5c, maxChainLength);
  for (const entry of x5c) {
    if (typeof entry !== 'string' || entry.length === 0 || entry.length > MAX_CERTIFICATE_LENGTH || !BASE64.test(entry)) {
      throw new BindingError(FailureType.MalformedProof, 'x5c entries must be standard base64 DER certificates');
    }
  }
}

/** `x5c` is an array of 1 to `maxChainLength` entries; else MalformedProof. Does not look at the entries. */
function checkChainLength(x5c: unknown, maxChainLength: number): asserts x5c is readonly unknown[] {
  if (!Array.isArray(x5c) || x5c.length === 0 || x5c.length > maxChainLength) {
    throw new BindingError(FailureType.MalformedProof, `x5c must hold 1 to ${maxChainLength} certificates`);
  }
}

/**
 * One `x5c` entry as DER. The base64 must be canonical (re-encoding gives the same text) and the
 * DER must end where the certificate ends: OpenSSL ignores trailing bytes, and a thumbprint over
 * them would name a certificate that was never issued. Fails with MalformedProof.
 * Does not check anything the certificate says: checkPath and the leaf checks do.
 */
function parseCertificate(entry: string): ParsedCertificate {
  const der = Buffer.from(entry, 'base64');
  try {
    if (der.toString('base64') !== entry) throw new Error('non-canonical base64');
    const certificate = new X509Certificate(der);
    if (certificate.raw.length !== der.length) throw new Error('trailing bytes after the certificate');
    const fields = new x509.X509Certificate(der);
    void fields.extensions; // parse the extensions now, inside this try
    return { der, certificate, fields, ...secondsOf(fields) };
  } catch (cause) {
    throw new BindingError(FailureType.MalformedProof, 'an x5c entry is not a DER certificate', { cause });
  }
}

/**
 * RFC 7515 §4.1.6: the first certificate holds the signing key, "with each subsequent
 * certificate being the one used to certify the previous one. The recipient MUST validate the
 * certificate chain according to RFC 5280". RFC 5280 §6.1.3 (a): for each certificate "(1) The
 * signature on the certificate can be verified using [the issuer's] working_public_key" and
 * "(4) The certificate issuer name is the working_issuer_name". The top of the path must be
 * issued by a configured anchor. `x5c` certificates are intermediates only: one that is byte for
 * byte a configured anchor may close the list and is then skipped, trusted through configuration
 * and never through `x5c`. Returns the validated path: the leaf, each intermediate, then the
 * anchor (once, whether or not `x5c` carried it). Fails with CertificateUntrusted.
 * Does not check validity periods or the leaf's usage: the caller does, after this.
 */
function checkPath(chain: readonly ParsedCertificate[], anchors: readonly ParsedCertificate[]): readonly ParsedCertificate[] {
  const last = chain[chain.length - 1];
  const closedByAnchor = chain.length > 1 && anchors.some((anchor) => anchor.der.equals(last.der));
  const path = closedByAnchor ? chain.slice(0, -1) : chain;
  checkCriticalExtensions(path[0].fields);
  for (let index = 1; index < path.length; index += 1) {
    checkCriticalExtensions(path[index].fields);
    checkSigningCertificate(path[index].fields, index - 1);
    checkIssuedBy(path[index - 1], path[index]);
  }
  const top = path[path.length - 1];
  const anchor = anchors.find((candidate) => isIssuedBy(top, candidate));
  if (anchor === undefined) {
    throw new BindingError(FailureType.CertificateUntrusted, 'certificate does not chain to a configured trust anchor');
  }
  checkPathLength(anchor.fields.getExtension(x509.BasicConstraintsExtension), path.length - 1);
  return [...path, anchor];
}

function checkIssuedBy(subject: ParsedCertificate, issuer: ParsedCertificate): void {
  if (!isIssuedBy(subject, issuer)) {
    throw new BindingError(FailureType.CertificateUntrusted, 'an x5c certificate is not signed by the next one');
  }
}

function isIssuedBy(subject: ParsedCertificate, issuer: ParsedCertificate): boolean {
  return subject.certificate.checkIssued(issuer.certificate) && subject.certificate.verify(issuer.certificate.publicKey);
}

/**
 * RFC 5280 §6.1.3 (a)(2): "The certificate validity period includes the current time", for every
 * certificate of the path, the anchor included; §4.1.2.5: "from notBefore through notAfter,
 * inclusive". No leeway: certificates are issued with their own margin. Fails with
 * CertificateNotValidNow. Does not check anything else about the certificates.
 */
export function checkValidityPeriod(period: { readonly notBefore: number; readonly notAfter: number }, now: number): void {
  if (now < period.notBefore) {
    throw new BindingError(FailureType.CertificateNotValidNow, 'a certificate in the path is not yet valid');
  }
  if (now > period.notAfter) {
    throw new BindingError(FailureType.CertificateNotValidNow, 'a certificate in the path has expired');
  }
}

function validityOf(path: readonly ParsedCertificate[]): { notBefore: number; notAfter: number } {
  return {
    notBefore: Math.max(...path.map((certificate) => certificate.notBefore)),
    notAfter: Math.min(...path.map((certificate) => certificate.notAfter)),
  };
}

function secondsOf(fields: x509.X509Certificate): { notBefore: number; notAfter: number } {
  return { notBefore: Math.floor(fields.notBefore.getTime() / 1000), notAfter: Math.floor(fields.notAfter.getTime() / 1000) };
}

/**
 * SHA-256 over each entry's length and text, so no two lists of strings share a key whatever their
 * content: a list is served from the cache only if exactly it was validated. A non-string entry
 * (a caller that skipped checkX5cSyntax) is MalformedProof.
 */
function cacheKey(x5c: readonly unknown[]): string {
  const hash = createHash('sha256');
  for (const entry of x5c) {
    if (typeof entry !== 'string') throw new BindingError(FailureType.MalformedProof, 'x5c entries must be standard base64 DER certificates');
    hash.update(`${entry.length}:`).update(entry);
  }
  return hash.digest('base64url');
}

function parseTrustAnchors(pem: string | readonly string[]): ParsedCertificate[] {
  const texts: readonly unknown[] = typeof pem === 'string' ? [pem] : Array.isArray(pem) ? pem : [];
  const blocks = texts.flatMap((text) => (typeof text === 'string' ? (text.match(PEM_CERTIFICATE) ?? []) : []));
  if (blocks.length === 0) {
    throw new BindingConfigError('trustAnchorsPem must hold at least one PEM certificate');
  }
  return blocks.map((block) => {
    let anchor: ParsedCertificate;
    try {
      const certificate = new X509Certificate(block);
      const fields = new x509.X509Certificate(certificate.raw);
      anchor = { der: certificate.raw, certificate, fields, ...secondsOf(fields) };
    } catch (cause) {
      throw new BindingConfigError('trustAnchorsPem holds a certificate that does not parse', { cause });
    }
    if (anchor.fields.getExtension(x509.BasicConstraintsExtension)?.ca !== true) {
      throw new BindingConfigError('every trust anchor must be a CA certificate (basicConstraints cA)');
    }
    return anchor;
  });
}
