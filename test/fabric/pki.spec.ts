import { describe, expect, it } from '@jest/globals';
import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import {
  createCertificateAuthority,
  createIntermediateAuthority,
  issueCertificate,
  loadCertificateAuthority,
  DEFAULT_LEAF_TTL_S,
} from '../../certs/pki.js';
import { x509 } from '../../certs/x509-provider.js';

// certs/pki.ts: the dev PKI every e2e test mints its certificates with. Workload certificates
// must look exactly like ARCHITECTURE.md "Identities" says, since hop checks (H3) rely on it.

const EDGE = 'spiffe://estate.local/edge';

function extensions(pem: string) {
  const certificate = new x509.X509Certificate(pem);
  return {
    basic: certificate.getExtension(x509.BasicConstraintsExtension),
    usage: certificate.getExtension(x509.KeyUsagesExtension),
    eku: certificate.getExtension(x509.ExtendedKeyUsageExtension),
    san: certificate.getExtension(x509.SubjectAlternativeNameExtension),
  };
}

describe('certs/pki.ts', () => {
  it('a workload certificate: clientAuth, digitalSignature, CA:false, exactly one URI SAN, P-256, issued by the CA', async () => {
    const ca = await createCertificateAuthority();
    const leaf = await issueCertificate(ca, { commonName: 'edge', spiffeId: EDGE, usage: 'client' });
    const certificate = new X509Certificate(leaf.certificatePem);
    expect(certificate.subjectAltName).toBe(`URI:${EDGE}`);
    expect(certificate.ca).toBe(false);
    expect(certificate.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    expect(certificate.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(certificate.checkIssued(new X509Certificate(ca.certificatePem)) && certificate.verify(new X509Certificate(ca.certificatePem).publicKey)).toBe(true);
    const { basic, usage, eku } = extensions(leaf.certificatePem);
    expect(basic?.critical).toBe(true);
    expect(usage?.usages).toBe(x509.KeyUsageFlags.digitalSignature);
    expect(usage?.critical).toBe(true);
    expect(eku?.usages).toEqual([x509.ExtendedKeyUsage.clientAuth]);
    // L1: short-lived by default (1 h, SPIRE's default X.509-SVID TTL), backdated a minute for clock skew.
    const seconds = (new Date(certificate.validTo).getTime() - Date.now()) / 1_000;
    expect(seconds).toBeGreaterThan(DEFAULT_LEAF_TTL_S - 5);
    expect(seconds).toBeLessThanOrEqual(DEFAULT_LEAF_TTL_S);
    expect(new Date(certificate.validTo).getTime() - new Date(certificate.validFrom).getTime()).toBe((DEFAULT_LEAF_TTL_S + 60) * 1_000);
  });

  it('L1: a 30 s leaf is backdated 3 s, not a minute, so its real validity stays near 30 s', async () => {
    const now = new Date('2030-05-01T12:00:00.700Z');
    const ca = await createCertificateAuthority({ validitySeconds: 600, now });
    const leaf = new X509Certificate((await issueCertificate(ca, { commonName: 'edge', spiffeId: EDGE, usage: 'client', lifetimeSeconds: 30, now })).certificatePem);
    expect(new Date(leaf.validFrom)).toEqual(new Date('2030-05-01T11:59:57Z'));
    expect(new Date(leaf.validTo)).toEqual(new Date('2030-05-01T12:00:30Z'));
    // Never past the CA's own notAfter.
    const long = new X509Certificate((await issueCertificate(ca, { commonName: 'edge', spiffeId: EDGE, usage: 'client', lifetimeSeconds: 3_600, now })).certificatePem);
    expect(new Date(long.validTo)).toEqual(new Date('2030-05-01T12:10:00Z'));
    const fresh = new X509Certificate((await issueCertificate(ca, { commonName: 'edge', spiffeId: EDGE, usage: 'client', lifetimeSeconds: 30 })).certificatePem);
    expect(new Date(fresh.validTo).getTime() - new Date(fresh.validFrom).getTime()).toBe(33_000);
    const caCertificate = new X509Certificate(ca.certificatePem);
    expect(new Date(caCertificate.validTo).getTime() - new Date(caCertificate.validFrom).getTime()).toBe(660_000);
  });

  it('the private key is unencrypted PKCS#8 that matches, and der is the certificate (its SHA-256 is x5t#S256)', async () => {
    const ca = await createCertificateAuthority();
    const leaf = await issueCertificate(ca, { commonName: 'edge', spiffeId: EDGE, usage: 'client' });
    // Unencrypted PKCS#8 PEM, exactly as Node writes it back.
    expect(createPrivateKey(leaf.privateKeyPem).export({ type: 'pkcs8', format: 'pem' })).toBe(leaf.privateKeyPem);
    const certificate = new X509Certificate(leaf.certificatePem);
    expect(certificate.checkPrivateKey(createPrivateKey(leaf.privateKeyPem))).toBe(true);
    expect(Buffer.from(leaf.der).equals(certificate.raw)).toBe(true);
    expect(createHash('sha256').update(leaf.der).digest('hex')).toBe(certificate.fingerprint256.replaceAll(':', '').toLowerCase());
  });

  it('the broker certificate: serverAuth, names localhost, nats (compose) and 127.0.0.1', async () => {
    const ca = await createCertificateAuthority();
    const server = await issueCertificate(ca, { commonName: 'nats', usage: 'server' });
    const certificate = new X509Certificate(server.certificatePem);
    expect(certificate.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(certificate.checkHost('localhost')).toBe('localhost');
    expect(certificate.checkHost('nats')).toBe('nats');
    expect(certificate.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(certificate.subjectAltName).not.toContain('URI:');
  });

  it('the CA: CA:true (critical), keyCertSign and cRLSign only', async () => {
    const ca = await createCertificateAuthority({ commonName: 'test CA', validityDays: 2 });
    const { basic, usage } = extensions(ca.certificatePem);
    expect(basic?.ca).toBe(true);
    expect(basic?.critical).toBe(true);
    expect(usage?.usages).toBe(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign);
    expect(ca.chainDer).toEqual([]);
    expect(new X509Certificate(ca.certificatePem).subject).toContain('CN=test CA');
  });

  it('EdDSA: Ed25519 keys for the CA and for leaves', async () => {
    const ca = await createCertificateAuthority({ keyAlgorithm: 'EdDSA' });
    const leaf = await issueCertificate(ca, { commonName: 'sts', spiffeId: 'spiffe://estate.local/sts', usage: 'client', keyAlgorithm: 'EdDSA' });
    const certificate = new X509Certificate(leaf.certificatePem);
    expect(certificate.publicKey.asymmetricKeyType).toBe('ed25519');
    expect(certificate.verify(new X509Certificate(ca.certificatePem).publicKey)).toBe(true);
  });

  it('an intermediate: leaves chain to the root only through chainDer (x5c), never directly', async () => {
    const root = await createCertificateAuthority();
    const intermediate = await createIntermediateAuthority(root);
    const leaf = await issueCertificate(intermediate, { commonName: 'orders', spiffeId: 'spiffe://estate.local/orders', usage: 'client' });
    const rootCertificate = new X509Certificate(root.certificatePem);
    const intermediateCertificate = new X509Certificate(intermediate.certificatePem);
    const leafCertificate = new X509Certificate(leaf.certificatePem);
    expect(intermediate.chainDer).toHaveLength(1);
    expect(Buffer.from(intermediate.chainDer[0]!).equals(intermediateCertificate.raw)).toBe(true);
    expect(intermediate.chainPem).toBe(intermediate.certificatePem);
    expect(leafCertificate.verify(intermediateCertificate.publicKey)).toBe(true);
    expect(intermediateCertificate.verify(rootCertificate.publicKey)).toBe(true);
    expect(leafCertificate.verify(rootCertificate.publicKey)).toBe(false);
    expect(extensions(intermediate.certificatePem).basic?.pathLength).toBe(0);
    expect(new Date(intermediateCertificate.validTo).getTime()).toBeLessThanOrEqual(root.notAfter.getTime());
  });

  it('explicit dates are used as given, so tests can mint expired and not-yet-valid certificates', async () => {
    const ca = await createCertificateAuthority();
    const notBefore = new Date('2020-01-01T00:00:00Z');
    const notAfter = new Date('2020-01-02T00:00:00Z');
    const expired = new X509Certificate((await issueCertificate(ca, { commonName: 'edge', spiffeId: EDGE, usage: 'client', notBefore, notAfter })).certificatePem);
    expect(new Date(expired.validFrom)).toEqual(notBefore);
    expect(new Date(expired.validTo)).toEqual(notAfter);
  });

  it('serial numbers are random and positive', async () => {
    const ca = await createCertificateAuthority();
    const serials = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const serial = new X509Certificate((await issueCertificate(ca, { commonName: 'x', spiffeId: EDGE, usage: 'client' })).certificatePem).serialNumber;
      expect(Number.parseInt(serial.slice(0, 2), 16)).toBeLessThan(0x80);
      serials.add(serial);
    }
    expect(serials.size).toBe(5);
  });

  it('refuses a malformed SPIFFE ID and an empty common name', async () => {
    const ca = await createCertificateAuthority();
    for (const spiffeId of ['https://estate.local/edge', 'spiffe://estate.local', 'spiffe://estate.local/edge?x=1', 'spiffe://u@estate.local/edge']) {
      await expect(issueCertificate(ca, { commonName: 'edge', spiffeId, usage: 'client' })).rejects.toThrow(/not a SPIFFE ID/);
    }
    await expect(issueCertificate(ca, { commonName: ' ', spiffeId: EDGE, usage: 'client' })).rejects.toThrow(/commonName/);
  });

  it('loadCertificateAuthority: an existing CA issues certificates that verify against it; a leaf or a wrong key is refused', async () => {
    const original = await createCertificateAuthority({ keyAlgorithm: 'EdDSA' });
    const loaded = await loadCertificateAuthority(original.certificatePem, original.privateKeyPem);
    expect(loaded.signatureAlgorithm).toBe('EdDSA');
    expect(loaded.commonName).toBe(original.commonName);
    const leaf = await issueCertificate(loaded, { commonName: 'edge', spiffeId: EDGE, usage: 'client' });
    expect(new X509Certificate(leaf.certificatePem).verify(new X509Certificate(original.certificatePem).publicKey)).toBe(true);
    await expect(loadCertificateAuthority(leaf.certificatePem, leaf.privateKeyPem)).rejects.toThrow(/not a CA certificate/);
    const other = await createCertificateAuthority();
    await expect(loadCertificateAuthority(original.certificatePem, other.privateKeyPem)).rejects.toThrow(/does not match/);
  });
});
