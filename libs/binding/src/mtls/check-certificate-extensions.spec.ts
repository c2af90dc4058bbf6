import { beforeAll, describe, expect, it } from '@jest/globals';
import { expectBindingError } from '../../test-support/expect-binding-error.js';
import { issueFixtureCertificate, type FixtureOptions } from '../../test-support/fixture-certificates.js';
import { createCertificateAuthority, issueCertificate, type Authority, type IssuedCertificate } from '../../test-support/pki.js';
import { FailureType } from '../errors/failure-type.js';
import { checkKeyMatchesAlgorithm } from './certificate-key.js';
import { createCertificatePathValidator, type CertificatePathValidator } from './certificate-path.js';

// The sender's own certificate (x5c[0]), checked through the path validator: X509-SVID §5.2 leaf
// validation, the clientAuth EKU, one URI SAN in the trust domain, a key that fits the proof alg.

const NOW = Math.floor(Date.now() / 1000);
const ORDERS = 'spiffe://estate.local/orders';
const b64 = (der: Uint8Array): string => Buffer.from(der).toString('base64');

let ca: Authority;
let orders: IssuedCertificate;
let validator: CertificatePathValidator;

const leaf = (options: Partial<FixtureOptions> = {}) =>
  issueFixtureCertificate(ca, { commonName: 'orders', uris: [ORDERS], ...options });

beforeAll(async () => {
  ca = await createCertificateAuthority({ commonName: 'estate CA' });
  orders = await issueCertificate(ca, { commonName: 'orders', spiffeId: ORDERS, usage: 'client' });
  validator = createCertificatePathValidator({ trustAnchorsPem: ca.certificatePem, trustDomain: 'estate.local', clock: () => NOW });
});

describe('createCertificatePathValidator: the sender certificate', () => {
  it('H3: one URI SAN in the trust domain passes; DNS names beside it are ignored', async () => {
    const withDns = await issueCertificate(ca, { commonName: 'orders', spiffeId: ORDERS, usage: 'client', dnsNames: ['orders.local'] });
    expect(validator.validate([b64(withDns.der)]).spiffeId).toBe(ORDERS);
    const nested = await leaf({ uris: ['spiffe://estate.local/ns/prod/orders'] });
    expect(validator.validate([nested.x5c]).spiffeId).toBe('spiffe://estate.local/ns/prod/orders');
  });

  it('H3: two URI SANs, none, or a SPIFFE ID outside the trust domain fail with CertificateUsage', async () => {
    const certificates = [
      await issueCertificate(ca, { commonName: 'orders', spiffeId: ORDERS, usage: 'client', extraUriSans: ['spiffe://estate.local/sts'] }),
      await issueCertificate(ca, { commonName: 'orders', usage: 'client' }),
      await issueCertificate(ca, { commonName: 'orders', spiffeId: 'spiffe://other.local/orders', usage: 'client' }),
    ];
    for (const certificate of certificates) {
      expectBindingError(() => validator.validate([b64(certificate.der)]), FailureType.CertificateUsage, 'invalid_token');
    }
  });

  it.each([
    'spiffe://estate.local',
    'spiffe://estate.local/',
    'spiffe://estate.local/orders/',
    'spiffe://estate.local/a//b',
    'spiffe://estate.local/a/../sts',
    'spiffe://estate.local:8443/orders',
    'spiffe://estate.local/orders?x=1',
    'SPIFFE://estate.local/orders',
    'https://estate.local/orders',
  ])('H3: the URI SAN %s is not an accepted SPIFFE ID', async (uri) => {
    const certificate = await leaf({ uris: [uri] });
    expectBindingError(() => validator.validate([certificate.x5c]), FailureType.CertificateUsage, 'invalid_token');
  });

  it('H3: a server-only certificate (no clientAuth) fails with CertificateUsage', async () => {
    const server = await issueCertificate(ca, { commonName: 'orders', spiffeId: ORDERS, usage: 'server' });
    expectBindingError(() => validator.validate([b64(server.der)]), FailureType.CertificateUsage, 'invalid_token');
    const noEku = await leaf({ extendedKeyUsage: null });
    expectBindingError(() => validator.validate([noEku.x5c]), FailureType.CertificateUsage, 'invalid_token');
  });

  it('H3: a CA certificate, or a leaf allowed to sign certificates, cannot be a sender', async () => {
    const caLeaf = await leaf({ ca: true, keyUsage: 1, extendedKeyUsage: ['1.3.6.1.5.5.7.3.2'] });
    const signingLeaf = await leaf({ ca: false, keyUsage: 1 | 32 /* digitalSignature | keyCertSign */ });
    const noSignature = await leaf({ ca: false, keyUsage: 16 /* keyAgreement */ });
    for (const certificate of [caLeaf, signingLeaf, noSignature]) {
      expectBindingError(() => validator.validate([certificate.x5c]), FailureType.CertificateUsage, 'invalid_token');
    }
  });

  it('H3: the leaf key type is pinned to the proof alg: ES256 ↔ P-256, EdDSA ↔ Ed25519', async () => {
    const ed = await issueCertificate(ca, { commonName: 'orders', spiffeId: ORDERS, usage: 'client', keyAlgorithm: 'EdDSA' });
    const edResult = validator.validate([b64(ed.der)]);
    const ecResult = validator.validate([b64(orders.der)]);
    expect(edResult.keyAlgorithm).toBe('EdDSA');
    expect(() => checkKeyMatchesAlgorithm(edResult, 'EdDSA')).not.toThrow();
    expect(() => checkKeyMatchesAlgorithm(ecResult, 'ES256')).not.toThrow();
    expectBindingError(() => checkKeyMatchesAlgorithm(edResult, 'ES256'), FailureType.ProofKey, 'invalid_dpop_proof');
    expectBindingError(() => checkKeyMatchesAlgorithm(ecResult, 'EdDSA'), FailureType.ProofKey, 'invalid_dpop_proof');
  });

  it('H3: a key that can sign neither ES256 nor EdDSA (RSA, P-384) fails with CertificateUsage', async () => {
    for (const keyAlgorithm of ['RS256', 'ES384'] as const) {
      const certificate = await leaf({ keyAlgorithm });
      expectBindingError(() => validator.validate([certificate.x5c]), FailureType.CertificateUsage, 'invalid_token');
    }
  });
});
