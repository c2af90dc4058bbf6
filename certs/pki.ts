import { randomBytes, webcrypto } from 'node:crypto';
import type { Authority, IssuedCertificate } from './authority.js';
import { DEFAULT_KEY_ALGORITHM, webCryptoProfile, type KeyAlgorithm } from './key-algorithm.js';
import { DEFAULT_LEAF_TTL_S, validityWindow, type ValidityWindow } from './lifetime.js';
import { alternativeNames } from './subject-alternative-names.js';
import { x509 } from './x509-provider.js';

/**
 * The estate's development PKI: a CA (optionally intermediates) and leaf certificates for
 * workloads (client) and the broker (server), built with @peculiar/x509 over Node's WebCrypto.
 * Tests import it to mint their own certificates, good and bad, into temporary folders;
 * the certificate renewer (certificate-renewer.ts) uses it for certs/out/.
 */
export type { KeyAlgorithm, SignatureAlgorithm } from './key-algorithm.js';
export type { Authority, CryptoKeyHandle, IssuedCertificate } from './authority.js';

type JsonName = Array<Record<string, string[]>>;

export interface AuthorityOptions {
  readonly commonName?: string;
  /** Lifetime in days; `validitySeconds` wins when both are given. Default DEFAULT_CA_VALIDITY_DAYS. */
  readonly validityDays?: number;
  /** Lifetime in whole seconds (the renewer's CA_TTL). */
  readonly validitySeconds?: number;
  readonly keyAlgorithm?: KeyAlgorithm;
  /** The issuing instant the validity is counted from; default now. The renewer's injectable clock sets it. */
  readonly now?: Date;
}

export interface CertificateOptions {
  readonly commonName: string;
  /** The one URI SAN of a workload certificate. Omit it only to mint a certificate that must fail. */
  readonly spiffeId?: string;
  /** Server default: localhost and `nats` (the compose host name). Client default: none. */
  readonly dnsNames?: readonly string[];
  /** Server default: 127.0.0.1 and ::1. Client default: none. */
  readonly ipAddresses?: readonly string[];
  /**
   * `route`: a broker node's cluster route certificate, which both accepts routes (serverAuth) and
   * opens them (clientAuth, which Go checks on the accepting side), with server host names.
   */
  readonly usage: 'client' | 'server' | 'route';
  /** Default: backdated to absorb clock skew between hosts, by a minute or a tenth of the lifetime if shorter (lifetime.ts). */
  readonly notBefore?: Date;
  /** Default: `lifetimeSeconds` from now, never past the CA's own notAfter. */
  readonly notAfter?: Date;
  /** Used when notAfter is not given. Default DEFAULT_LEAF_TTL_S (1 h). */
  readonly lifetimeSeconds?: number;
  /** The issuing instant the validity is counted from; default now. The renewer's injectable clock sets it. */
  readonly now?: Date;
  readonly keyAlgorithm?: KeyAlgorithm;
  /** For negative tests only: more URI SANs after the SPIFFE ID, which the estate must refuse. */
  readonly extraUriSans?: readonly string[];
}

export const DEFAULT_CA_COMMON_NAME = 'hybrid-estate dev CA';
export const DEFAULT_CA_VALIDITY_DAYS = 30; // days
/** A leaf issued without dates lives DEFAULT_LEAF_TTL_S (1 h); the renewer keeps such leaves fresh. */
export { DEFAULT_LEAF_TTL_S } from './lifetime.js';
export { DEFAULT_SERVER_DNS_NAMES, DEFAULT_SERVER_IP_ADDRESSES } from './subject-alternative-names.js';
const ORGANIZATION = 'hybrid-estate';
const DAY_S = 86_400; // seconds

/** A random positive 128-bit serial (RFC 5280 §4.1.2.2: positive, at most 20 octets). */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return bytes.toString('hex');
}

function subject(commonName: string): JsonName {
  if (commonName.trim() === '') throw new TypeError('commonName must not be empty');
  return [{ CN: [commonName] }, { O: [ORGANIZATION] }];
}

/** An authority's window: validitySeconds, else validityDays, else DEFAULT_CA_VALIDITY_DAYS. */
function authorityWindow(options: AuthorityOptions): ValidityWindow {
  const now = (options.now ?? new Date()).getTime();
  if (options.validitySeconds !== undefined) return validityWindow(now, options.validitySeconds);
  const days = options.validityDays ?? DEFAULT_CA_VALIDITY_DAYS;
  if (!Number.isFinite(days) || days <= 0) throw new TypeError(`validityDays must be a positive number, got ${String(options.validityDays)}`);
  return validityWindow(now, Math.max(1, Math.round(days * DAY_S)));
}

/** A leaf's window: explicit dates as given; otherwise lifetimeSeconds from now, never past the CA's notAfter. */
function leafWindow(ca: Authority, options: CertificateOptions): ValidityWindow {
  const now = (options.now ?? new Date()).getTime();
  const lifetimeSeconds = options.notAfter === undefined ? (options.lifetimeSeconds ?? DEFAULT_LEAF_TTL_S) : Math.max(1, Math.floor((options.notAfter.getTime() - now) / 1_000));
  const window = validityWindow(now, lifetimeSeconds);
  return {
    notBefore: options.notBefore ?? window.notBefore,
    notAfter: options.notAfter ?? new Date(Math.min(window.notAfter.getTime(), ca.notAfter.getTime())),
  };
}

async function generateKeys(algorithm: KeyAlgorithm): Promise<webcrypto.CryptoKeyPair> {
  // Extractable, because the private key is exported as PKCS#8 for the TLS stacks.
  return webcrypto.subtle.generateKey(webCryptoProfile(algorithm).key as webcrypto.EcKeyGenParams, true, ['sign', 'verify']);
}

/** PEM text ending in a newline, so files and chains concatenate into valid PEM. */
function terminated(pem: string): string {
  return pem.endsWith('\n') ? pem : `${pem}\n`;
}

async function privateKeyPem(key: webcrypto.CryptoKey): Promise<string> {
  return terminated(x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY'));
}

function derOf(certificate: x509.X509Certificate): Uint8Array {
  return new Uint8Array(certificate.rawData);
}

function pemOf(der: Uint8Array): string {
  return terminated(x509.PemConverter.encode(der, 'CERTIFICATE'));
}

async function buildAuthority(
  keys: webcrypto.CryptoKeyPair,
  certificate: x509.X509Certificate,
  commonName: string,
  keyAlgorithm: KeyAlgorithm,
  chainDer: readonly Uint8Array[],
): Promise<Authority> {
  return Object.freeze({
    certificatePem: pemOf(derOf(certificate)),
    privateKeyPem: await privateKeyPem(keys.privateKey),
    der: derOf(certificate),
    commonName,
    signatureAlgorithm: keyAlgorithm,
    signingKey: keys.privateKey,
    publicKey: keys.publicKey,
    notBefore: certificate.notBefore,
    notAfter: certificate.notAfter,
    chainDer: Object.freeze([...chainDer]),
    chainPem: chainDer.map(pemOf).join(''),
  });
}

function caExtensions(keys: webcrypto.CryptoKeyPair, pathLength: number | undefined): Promise<x509.Extension[]> {
  return Promise.all([
    new x509.BasicConstraintsExtension(true, pathLength, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
  ]);
}

/** A self-signed root. It may issue intermediates (no path length limit below it). */
export async function createCertificateAuthority(options: AuthorityOptions = {}): Promise<Authority> {
  const keyAlgorithm = options.keyAlgorithm ?? DEFAULT_KEY_ALGORITHM;
  const commonName = options.commonName ?? DEFAULT_CA_COMMON_NAME;
  const window = authorityWindow(options);
  const keys = await generateKeys(keyAlgorithm);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: subject(commonName),
    notBefore: window.notBefore,
    notAfter: window.notAfter,
    keys,
    signingAlgorithm: webCryptoProfile(keyAlgorithm).signing,
    extensions: await caExtensions(keys, undefined),
  });
  return buildAuthority(keys, certificate, commonName, keyAlgorithm, []);
}

/**
 * An intermediate CA under `parent` (path length 0: it issues leaves only). Its leaves chain
 * to the root only through `chainDer`, which hop proofs carry in x5c: intermediates from x5c
 * are allowed, never trusted as anchors.
 */
export async function createIntermediateAuthority(parent: Authority, options: AuthorityOptions = {}): Promise<Authority> {
  const keyAlgorithm = options.keyAlgorithm ?? DEFAULT_KEY_ALGORITHM;
  const commonName = options.commonName ?? `${parent.commonName} intermediate`;
  const window = authorityWindow(options);
  const keys = await generateKeys(keyAlgorithm);
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: subject(commonName),
    issuer: new x509.X509Certificate(parent.der).subject,
    notBefore: window.notBefore,
    notAfter: new Date(Math.min(window.notAfter.getTime(), parent.notAfter.getTime())),
    publicKey: keys.publicKey,
    signingKey: parent.signingKey,
    signingAlgorithm: webCryptoProfile(parent.signatureAlgorithm).signing,
    extensions: [
      ...(await caExtensions(keys, 0)),
      await x509.AuthorityKeyIdentifierExtension.create(parent.publicKey),
    ],
  });
  return buildAuthority(keys, certificate, commonName, keyAlgorithm, [derOf(certificate), ...parent.chainDer]);
}

function extendedKeyUsages(usage: CertificateOptions['usage']): string[] {
  if (usage === 'client') return [x509.ExtendedKeyUsage.clientAuth];
  if (usage === 'server') return [x509.ExtendedKeyUsage.serverAuth];
  return [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth];
}

/**
 * A leaf certificate issued by `ca`. Client (workload) certificates carry the clientAuth EKU,
 * the digitalSignature key usage, CA:false and their SPIFFE ID as the one URI SAN; server
 * certificates carry serverAuth and host names. Explicit dates are used as given, so tests can
 * mint expired and not-yet-valid certificates.
 */
export async function issueCertificate(ca: Authority, options: CertificateOptions): Promise<IssuedCertificate> {
  const keyAlgorithm = options.keyAlgorithm ?? DEFAULT_KEY_ALGORITHM;
  const window = leafWindow(ca, options);
  const keys = await generateKeys(keyAlgorithm);
  const names = alternativeNames(options);
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: subject(options.commonName),
    issuer: new x509.X509Certificate(ca.der).subject,
    notBefore: window.notBefore,
    notAfter: window.notAfter,
    publicKey: keys.publicKey,
    signingKey: ca.signingKey,
    signingAlgorithm: webCryptoProfile(ca.signatureAlgorithm).signing,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      // ECDSA and EdDSA keys only sign (RFC 5480 §3, RFC 8410 §5): no keyEncipherment.
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension(extendedKeyUsages(options.usage)),
      ...(names.length === 0 ? [] : [new x509.SubjectAlternativeNameExtension(names)]),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(ca.publicKey),
    ],
  });
  return Object.freeze({
    certificatePem: pemOf(derOf(certificate)),
    privateKeyPem: await privateKeyPem(keys.privateKey),
    der: derOf(certificate),
  });
}

export { loadCertificateAuthority } from './load-authority.js';
