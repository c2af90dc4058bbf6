// Test support only (never imported by library code, never packed): the few certificates pki.ts
// (beside it) does not make, because a correct PKI never issues them: intermediates, CA leaves,
// two URI SANs, unknown critical extensions, RSA and P-384 keys. Real keys and real signatures,
// built with @peculiar/x509.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { createPrivateKey, generateKeyPairSync, webcrypto, type KeyObject } from 'node:crypto';

x509.cryptoProvider.set(webcrypto);

/** Anything that can sign certificates: a certs/pki.ts Authority or a fixture CA. */
export interface FixtureIssuer {
  readonly certificatePem: string;
  readonly privateKeyPem: string;
}

export interface FixtureCertificate extends FixtureIssuer {
  readonly der: Uint8Array;
  /** RFC 7515 §4.1.6 form: standard base64 DER. */
  readonly x5c: string;
}

export type FixtureKeyAlgorithm = 'ES256' | 'EdDSA' | 'ES384' | 'RS256';

export interface FixtureOptions {
  readonly commonName: string;
  readonly keyAlgorithm?: FixtureKeyAlgorithm;
  /** basicConstraints cA; omitted: no basicConstraints extension. */
  readonly ca?: boolean;
  readonly pathLength?: number;
  /** KeyUsageFlags bits; null: no keyUsage extension. Default: digitalSignature, or keyCertSign|cRLSign for a CA. */
  readonly keyUsage?: number | null;
  /** EKU OIDs; null: no extendedKeyUsage extension. Default: clientAuth + serverAuth for a leaf, none for a CA. */
  readonly extendedKeyUsage?: readonly string[] | null;
  readonly uris?: readonly string[];
  readonly dnsNames?: readonly string[];
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  readonly extraExtensions?: readonly x509.Extension[];
}

const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const DAY_MS = 24 * 3600 * 1000;

/** A self-signed CA (basicConstraints cA, keyCertSign), as a trust anchor or a foreign CA. */
export async function createFixtureAuthority(options: Partial<FixtureOptions> = {}): Promise<FixtureCertificate> {
  const keys = generateKeys(options.keyAlgorithm ?? 'ES256');
  return build({ commonName: 'Fixture CA', ca: true, ...options }, keys.publicKey, keys.privateKey, keys.privateKey);
}

/** A certificate issued by `issuer`; CA or leaf according to `options.ca`. */
export async function issueFixtureCertificate(issuer: FixtureIssuer, options: FixtureOptions): Promise<FixtureCertificate> {
  const keys = generateKeys(options.keyAlgorithm ?? 'ES256');
  return build(options, keys.publicKey, keys.privateKey, createPrivateKey(issuer.privateKeyPem), issuer.certificatePem);
}

/** An extension no implementation here recognises (a private OID). */
export function unknownExtension(critical: boolean): x509.Extension {
  return new x509.Extension('1.3.6.1.4.1.55555.1', critical, new Uint8Array([0x05, 0x00]));
}

async function build(
  options: FixtureOptions,
  publicKey: KeyObject,
  privateKey: KeyObject,
  signer: KeyObject,
  issuerPem?: string,
): Promise<FixtureCertificate> {
  const signing = algorithmOf(signer);
  const signingKey = await webcrypto.subtle.importKey('pkcs8', signer.export({ format: 'der', type: 'pkcs8' }), signing, false, ['sign']);
  const subjectAlgorithm = algorithmOf(publicKey);
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  const subjectKey = await webcrypto.subtle.importKey('spki', spki, subjectAlgorithm, true, ['verify']);
  const name = `CN=${options.commonName}`;
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(12))).toString('hex').replace(/^[89a-f]/, '1'),
    subject: name,
    issuer: issuerPem === undefined ? name : new x509.X509Certificate(issuerPem).subject,
    notBefore: options.notBefore ?? new Date(Date.now() - DAY_MS),
    notAfter: options.notAfter ?? new Date(Date.now() + 30 * DAY_MS),
    publicKey: subjectKey,
    signingKey,
    signingAlgorithm: signing,
    extensions: extensionsOf(options),
  });
  const der = new Uint8Array(certificate.rawData);
  return {
    certificatePem: certificate.toString('pem'),
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    der,
    x5c: Buffer.from(der).toString('base64'),
  };
}

function extensionsOf(options: FixtureOptions): x509.Extension[] {
  const extensions: x509.Extension[] = [];
  if (options.ca !== undefined) extensions.push(new x509.BasicConstraintsExtension(options.ca, options.pathLength, true));
  const defaultUsage = options.ca === true
    ? x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign
    : x509.KeyUsageFlags.digitalSignature;
  const keyUsage = options.keyUsage === undefined ? defaultUsage : options.keyUsage;
  if (keyUsage !== null) extensions.push(new x509.KeyUsagesExtension(keyUsage, true));
  const eku = options.extendedKeyUsage === undefined ? (options.ca === true ? null : [CLIENT_AUTH, SERVER_AUTH]) : options.extendedKeyUsage;
  if (eku !== null) extensions.push(new x509.ExtendedKeyUsageExtension([...eku]));
  const names = [
    ...(options.uris ?? []).map((value) => ({ type: 'url' as const, value })),
    ...(options.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
  ];
  if (names.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(names));
  extensions.push(...(options.extraExtensions ?? []));
  return extensions;
}

function generateKeys(algorithm: FixtureKeyAlgorithm): { publicKey: KeyObject; privateKey: KeyObject } {
  switch (algorithm) {
    case 'ES256':
      return generateKeyPairSync('ec', { namedCurve: 'P-256' });
    case 'ES384':
      return generateKeyPairSync('ec', { namedCurve: 'P-384' });
    case 'EdDSA':
      return generateKeyPairSync('ed25519');
    case 'RS256':
      return generateKeyPairSync('rsa', { modulusLength: 2048 });
  }
}

/** WebCrypto parameters for importing `key` and for signing with it (SHA-256 or SHA-384 by curve). */
function algorithmOf(key: KeyObject): webcrypto.EcKeyImportParams & webcrypto.EcdsaParams | webcrypto.RsaHashedImportParams | webcrypto.Algorithm {
  if (key.asymmetricKeyType === 'ed25519') return { name: 'Ed25519' };
  if (key.asymmetricKeyType === 'rsa') return { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  const p384 = key.asymmetricKeyDetails?.namedCurve === 'secp384r1';
  return { name: 'ECDSA', namedCurve: p384 ? 'P-384' : 'P-256', hash: p384 ? 'SHA-384' : 'SHA-256' };
}
