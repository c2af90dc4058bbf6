import { createPrivateKey, X509Certificate, webcrypto } from 'node:crypto';
import { signatureAlgorithmOf, webCryptoProfile } from './key-algorithm.js';
import type { Authority } from './authority.js';
import { x509 } from './x509-provider.js';

/**
 * An authority from existing PEM files: the CA that `npm run certs` or the renewer created earlier, or one
 * you bring (see certs/README.md). The certificate must be a CA whose key is `privateKeyPem`
 * (PKCS#8 or SEC1/PKCS#1; P-256, P-384, Ed25519 or RSA) and that can sign certificates. It is
 * treated as the trust anchor: the estate trusts exactly this certificate.
 * Does not check that the CA is still valid; the caller decides what to do with an old one.
 */
export async function loadCertificateAuthority(certificatePem: string, privateKeyPem: string): Promise<Authority> {
  const certificate = new X509Certificate(certificatePem);
  if (!certificate.ca) throw new TypeError(`${certificate.subject} is not a CA certificate (basicConstraints CA:false)`);
  const keyObject = createPrivateKey(privateKeyPem);
  if (!certificate.checkPrivateKey(keyObject)) throw new TypeError(`the CA key does not match ${certificate.subject}`);
  const parsed = new x509.X509Certificate(certificatePem);
  const usage = parsed.getExtension(x509.KeyUsagesExtension);
  if (usage !== null && (usage.usages & x509.KeyUsageFlags.keyCertSign) === 0) {
    throw new TypeError(`${certificate.subject} may not sign certificates (keyUsage lacks keyCertSign)`);
  }
  const signatureAlgorithm = signatureAlgorithmOf(keyObject);
  const profile = webCryptoProfile(signatureAlgorithm).key;
  const pkcs8 = keyObject.export({ type: 'pkcs8', format: 'der' });
  const signingKey = await webcrypto.subtle.importKey('pkcs8', pkcs8, profile, true, ['sign']);
  const publicKey = await webcrypto.subtle.importKey('spki', certificate.publicKey.export({ type: 'spki', format: 'der' }), profile, true, ['verify']);
  return Object.freeze({
    certificatePem: `${parsed.toString('pem').trimEnd()}\n`,
    privateKeyPem: keyObject.export({ type: 'pkcs8', format: 'pem' }).toString(),
    der: new Uint8Array(parsed.rawData),
    commonName: parsed.subjectName.getField('CN')[0] ?? certificate.subject,
    signatureAlgorithm,
    signingKey,
    publicKey,
    notBefore: parsed.notBefore,
    notAfter: parsed.notAfter,
    chainDer: Object.freeze([]),
    chainPem: '',
  });
}
