// Test support only (never imported by library code, never packed): a small PKI for the library's
// own specs, so they need nothing outside libs/binding. The same certificates the estate's PKI
// (certs/pki.ts) issues: a CA, intermediates (path length 0) and workload (clientAuth, one SPIFFE
// URI SAN) or server leaves, with real keys and signatures from @peculiar/x509 over Node's WebCrypto.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { randomBytes, webcrypto } from 'node:crypto';

x509.cryptoProvider.set(webcrypto);

export type KeyAlgorithm = 'ES256' | 'EdDSA';

export interface IssuedCertificate {
  readonly certificatePem: string;
  /** PKCS#8, unencrypted. */
  readonly privateKeyPem: string;
  /** The certificate's DER: its SHA-256 is the `x5t#S256` a certificate-bound token carries. */
  readonly der: Uint8Array;
}

export interface Authority extends IssuedCertificate {
  readonly commonName: string;
  readonly keyAlgorithm: KeyAlgorithm;
  readonly signingKey: webcrypto.CryptoKey;
  readonly publicKey: webcrypto.CryptoKey;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** What a leaf of this authority sends after itself in x5c: this CA and those above it, the root excluded. */
  readonly chainDer: readonly Uint8Array[];
}

export interface AuthorityOptions {
  readonly commonName?: string;
  /** Default DEFAULT_CA_VALIDITY_DAYS. */
  readonly validityDays?: number;
  readonly keyAlgorithm?: KeyAlgorithm;
}

export interface CertificateOptions {
  readonly commonName: string;
  /** The one URI SAN of a workload certificate; omit it only to mint a certificate that must fail. */
  readonly spiffeId?: string;
  /** Server default: localhost and `nats`. Client default: none. */
  readonly dnsNames?: readonly string[];
  /** Server default: 127.0.0.1 and ::1. Client default: none. */
  readonly ipAddresses?: readonly string[];
  readonly usage: 'client' | 'server';
  /** Default: backdated by a minute, or a tenth of the lifetime if shorter. */
  readonly notBefore?: Date;
  /** Default: DEFAULT_LEAF_TTL_S from now, never past the CA's notAfter. */
  readonly notAfter?: Date;
  readonly keyAlgorithm?: KeyAlgorithm;
  /** For negative tests: more URI SANs after the SPIFFE ID. */
  readonly extraUriSans?: readonly string[];
}

export const DEFAULT_CA_VALIDITY_DAYS = 30; // days
export const DEFAULT_LEAF_TTL_S = 3_600; // seconds
const MAX_BACKDATE_S = 60; // seconds
const DAY_S = 86_400; // seconds

const PROFILES = {
  ES256: { key: { name: 'ECDSA', namedCurve: 'P-256' }, signing: { name: 'ECDSA', hash: 'SHA-256' } },
  EdDSA: { key: { name: 'Ed25519' }, signing: { name: 'Ed25519' } },
} as const;

/** A self-signed root. */
export async function createCertificateAuthority(options: AuthorityOptions = {}): Promise<Authority> {
  const keyAlgorithm = options.keyAlgorithm ?? 'ES256';
  const commonName = options.commonName ?? 'binding test CA';
  const window = validity(Date.now(), Math.round((options.validityDays ?? DEFAULT_CA_VALIDITY_DAYS) * DAY_S));
  const keys = await generateKeys(keyAlgorithm);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: subject(commonName),
    ...window,
    keys,
    signingAlgorithm: PROFILES[keyAlgorithm].signing,
    extensions: await caExtensions(keys, undefined),
  });
  return authority(keys, certificate, commonName, keyAlgorithm, []);
}

/** An intermediate CA under `parent` (path length 0); its leaves reach the root only through `chainDer`. */
export async function createIntermediateAuthority(parent: Authority, options: AuthorityOptions = {}): Promise<Authority> {
  const keyAlgorithm = options.keyAlgorithm ?? 'ES256';
  const commonName = options.commonName ?? `${parent.commonName} intermediate`;
  const window = validity(Date.now(), Math.round((options.validityDays ?? DEFAULT_CA_VALIDITY_DAYS) * DAY_S));
  const keys = await generateKeys(keyAlgorithm);
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: subject(commonName),
    issuer: new x509.X509Certificate(parent.der).subject,
    notBefore: window.notBefore,
    notAfter: new Date(Math.min(window.notAfter.getTime(), parent.notAfter.getTime())),
    publicKey: keys.publicKey,
    signingKey: parent.signingKey,
    signingAlgorithm: PROFILES[parent.keyAlgorithm].signing,
    extensions: [...(await caExtensions(keys, 0)), await x509.AuthorityKeyIdentifierExtension.create(parent.publicKey)],
  });
  return authority(keys, certificate, commonName, keyAlgorithm, [new Uint8Array(certificate.rawData), ...parent.chainDer]);
}

/** A leaf issued by `ca`; explicit dates are used as given, so specs can mint expired and not-yet-valid ones. */
export async function issueCertificate(ca: Authority, options: CertificateOptions): Promise<IssuedCertificate> {
  const keyAlgorithm = options.keyAlgorithm ?? 'ES256';
  const now = Date.now();
  const lifetime = options.notAfter === undefined ? DEFAULT_LEAF_TTL_S : Math.max(1, Math.floor((options.notAfter.getTime() - now) / 1_000));
  const window = validity(now, lifetime);
  const keys = await generateKeys(keyAlgorithm);
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: subject(options.commonName),
    issuer: new x509.X509Certificate(ca.der).subject,
    notBefore: options.notBefore ?? window.notBefore,
    notAfter: options.notAfter ?? new Date(Math.min(window.notAfter.getTime(), ca.notAfter.getTime())),
    publicKey: keys.publicKey,
    signingKey: ca.signingKey,
    signingAlgorithm: PROFILES[ca.keyAlgorithm].signing,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([options.usage === 'client' ? x509.ExtendedKeyUsage.clientAuth : x509.ExtendedKeyUsage.serverAuth]),
      ...alternativeNames(options),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(ca.publicKey),
    ],
  });
  return Object.freeze({ certificatePem: pem(certificate), privateKeyPem: await privateKeyPem(keys.privateKey), der: new Uint8Array(certificate.rawData) });
}

function alternativeNames(options: CertificateOptions): x509.Extension[] {
  const server = options.usage === 'server';
  const names = [
    ...[...(options.spiffeId === undefined ? [] : [options.spiffeId]), ...(options.extraUriSans ?? [])].map((value) => ({ type: 'url' as const, value })),
    ...(options.dnsNames ?? (server ? ['localhost', 'nats'] : [])).map((value) => ({ type: 'dns' as const, value })),
    ...(options.ipAddresses ?? (server ? ['127.0.0.1', '::1'] : [])).map((value) => ({ type: 'ip' as const, value })),
  ];
  return names.length === 0 ? [] : [new x509.SubjectAlternativeNameExtension(names)];
}

/** notBefore backdated (clock skew), notAfter `lifetimeSeconds` on, both on whole seconds as X.509 stores them. */
function validity(nowMs: number, lifetimeSeconds: number): { notBefore: Date; notAfter: Date } {
  const now = Math.floor(nowMs / 1_000) * 1_000;
  const backdate = Math.min(MAX_BACKDATE_S, Math.floor(lifetimeSeconds / 10));
  return { notBefore: new Date(now - backdate * 1_000), notAfter: new Date(now + lifetimeSeconds * 1_000) };
}

function subject(commonName: string): string {
  return `CN=${commonName}, O=hybrid-estate`;
}

/** A random positive 128-bit serial (RFC 5280 §4.1.2.2). */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return bytes.toString('hex');
}

function generateKeys(algorithm: KeyAlgorithm): Promise<webcrypto.CryptoKeyPair> {
  return webcrypto.subtle.generateKey(PROFILES[algorithm].key as webcrypto.EcKeyGenParams, true, ['sign', 'verify']) as Promise<webcrypto.CryptoKeyPair>;
}

async function caExtensions(keys: webcrypto.CryptoKeyPair, pathLength: number | undefined): Promise<x509.Extension[]> {
  return [
    new x509.BasicConstraintsExtension(true, pathLength, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
  ];
}

async function authority(
  keys: webcrypto.CryptoKeyPair, certificate: x509.X509Certificate, commonName: string, keyAlgorithm: KeyAlgorithm, chainDer: readonly Uint8Array[],
): Promise<Authority> {
  return Object.freeze({
    certificatePem: pem(certificate),
    privateKeyPem: await privateKeyPem(keys.privateKey),
    der: new Uint8Array(certificate.rawData),
    commonName,
    keyAlgorithm,
    signingKey: keys.privateKey,
    publicKey: keys.publicKey,
    notBefore: certificate.notBefore,
    notAfter: certificate.notAfter,
    chainDer: Object.freeze([...chainDer]),
  });
}

function pem(certificate: x509.X509Certificate): string {
  return `${certificate.toString('pem')}\n`;
}

async function privateKeyPem(key: webcrypto.CryptoKey): Promise<string> {
  return `${x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY')}\n`;
}
