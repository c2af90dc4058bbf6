import { beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import {
  createCertificateAuthority,
  createIntermediateAuthority,
  issueCertificate,
  type Authority,
  type IssuedCertificate,
} from '../../test-support/pki.js';
import { expectBindingError } from '../../test-support/expect-binding-error.js';
import { createFixtureAuthority, issueFixtureCertificate, unknownExtension, type FixtureOptions } from '../../test-support/fixture-certificates.js';
import { BindingConfigError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import { createCertificatePathValidator, type CertificatePathValidator } from './certificate-path.js';

const NOW = Math.floor(Date.now() / 1000);
const DAY_S = 86_400;
const ORDERS = 'spiffe://estate.local/orders';
const b64 = (der: Uint8Array): string => Buffer.from(der).toString('base64');

let ca: Authority;
let orders: IssuedCertificate;
let validator: CertificatePathValidator;

function validatorAt(now: number, anchorPem = ca.certificatePem): CertificatePathValidator {
  return createCertificatePathValidator({ trustAnchorsPem: anchorPem, trustDomain: 'estate.local', clock: () => now });
}

const leaf = (options: Partial<FixtureOptions> = {}) =>
  issueFixtureCertificate(ca, { commonName: 'orders', uris: [ORDERS], ...options });

beforeAll(async () => {
  ca = await createCertificateAuthority({ commonName: 'estate CA' });
  orders = await issueCertificate(ca, { commonName: 'orders', spiffeId: ORDERS, usage: 'client' });
  validator = validatorAt(NOW);
});

describe('createCertificatePathValidator: the chain', () => {
  it('H3: a workload certificate issued by the estate CA passes, with its SPIFFE ID and x5t#S256', () => {
    const result = validator.validate([b64(orders.der)]);
    expect(result).toMatchObject({ spiffeId: ORDERS, keyAlgorithm: 'ES256' });
    expect(result.thumbprint).toBe(createHash('sha256').update(orders.der).digest('base64url'));
    expect(result.publicKey.asymmetricKeyType).toBe('ec');
    expect(Object.isFrozen(result)).toBe(true);
  });

  it('H3: an intermediate carried in x5c is allowed, with or without the anchor appended', async () => {
    const intermediate = await createIntermediateAuthority(ca);
    const workload = await issueCertificate(intermediate, { commonName: 'orders', spiffeId: ORDERS, usage: 'client' });
    const x5c = [workload.der, ...intermediate.chainDer].map(b64);
    expect(validator.validate(x5c).spiffeId).toBe(ORDERS);
    expect(validator.validate([...x5c, b64(ca.der)]).spiffeId).toBe(ORDERS);
  });

  it('H3: a leaf of an intermediate fails without the intermediate in x5c', async () => {
    const intermediate = await createIntermediateAuthority(ca);
    const workload = await issueCertificate(intermediate, { commonName: 'orders', spiffeId: ORDERS, usage: 'client' });
    expectBindingError(() => validator.validate([b64(workload.der)]), FailureType.CertificateUntrusted, 'invalid_token');
  });

  it('H3: a foreign CA, even one named like the estate CA, is untrusted', async () => {
    const foreign = await createCertificateAuthority({ commonName: 'estate CA' });
    const impostor = await issueCertificate(foreign, { commonName: 'orders', spiffeId: ORDERS, usage: 'client' });
    expectBindingError(() => validator.validate([b64(impostor.der)]), FailureType.CertificateUntrusted, 'invalid_token');
    // Sending the foreign root along does not make it an anchor.
    expectBindingError(() => validator.validate([b64(impostor.der), b64(foreign.der)]), FailureType.CertificateUntrusted, 'invalid_token');
  });

  it('H3: an intermediate from a foreign root is never trusted as an anchor', async () => {
    const foreignIntermediate = await createIntermediateAuthority(await createCertificateAuthority());
    const workload = await issueCertificate(foreignIntermediate, { commonName: 'orders', spiffeId: ORDERS, usage: 'client' });
    expectBindingError(
      () => validator.validate([workload.der, ...foreignIntermediate.chainDer].map(b64)),
      FailureType.CertificateUntrusted,
      'invalid_token',
    );
  });

  it('H3: an issuing certificate that is not a CA, or may not sign certificates, breaks the path', async () => {
    for (const options of [{ ca: false }, { ca: true, keyUsage: 1 /* digitalSignature only */ }]) {
      const issuer = await issueFixtureCertificate(ca, { commonName: 'not a CA', extendedKeyUsage: null, ...options });
      const workload = await issueFixtureCertificate(issuer, { commonName: 'orders', uris: [ORDERS] });
      expectBindingError(() => validator.validate([workload.x5c, issuer.x5c]), FailureType.CertificateUntrusted, 'invalid_token');
    }
  });

  it('H3: a path longer than an intermediate pathLenConstraint allows fails', async () => {
    const first = await createIntermediateAuthority(ca); // pathLenConstraint 0
    const second = await createIntermediateAuthority(first);
    const workload = await issueCertificate(second, { commonName: 'orders', spiffeId: ORDERS, usage: 'client' });
    expectBindingError(
      () => validator.validate([workload.der, ...second.chainDer].map(b64)),
      FailureType.CertificateUntrusted,
      'invalid_token',
    );
  });

  it('H3: an unrecognised critical extension is refused; a non-critical one is ignored', async () => {
    const critical = await leaf({ extraExtensions: [unknownExtension(true)] });
    expectBindingError(() => validator.validate([critical.x5c]), FailureType.CertificateUntrusted, 'invalid_token');
    const nonCritical = await leaf({ extraExtensions: [unknownExtension(false)] });
    expect(validator.validate([nonCritical.x5c]).spiffeId).toBe(ORDERS);
  });
});

describe('createCertificatePathValidator: the path named for revocation (H12)', () => {
  const x5t = (der: Uint8Array): string => createHash('sha256').update(der).digest('base64url');

  it('H12: the result names every certificate of the path by its x5t#S256, leaf to anchor (RFC 8705 §3.1)', async () => {
    const intermediate = await createIntermediateAuthority(ca);
    const workload = await issueCertificate(intermediate, { commonName: 'orders', spiffeId: ORDERS, usage: 'client' });
    const x5c = [workload.der, ...intermediate.chainDer].map(b64);
    const expected = [x5t(workload.der), x5t(intermediate.der), x5t(ca.der)];
    const result = validator.validate(x5c);
    expect(result.pathThumbprints).toEqual(expected);
    expect(result.pathThumbprints![0]).toBe(result.thumbprint);
    expect(Object.isFrozen(result.pathThumbprints)).toBe(true);
    // The anchor is named once, whether x5c carries it or not.
    expect(validator.validate([...x5c, b64(ca.der)]).pathThumbprints).toEqual(expected);
    // A leaf issued by the anchor itself: leaf and anchor.
    expect(validator.validate([b64(orders.der)]).pathThumbprints).toEqual([x5t(orders.der), x5t(ca.der)]);
  });

  it('H12: a cache hit serves the thumbprints hashed on the miss (no hashing per request)', async () => {
    const intermediate = await createIntermediateAuthority(ca);
    const workload = await issueCertificate(intermediate, { commonName: 'orders', spiffeId: ORDERS, usage: 'client' });
    const x5c = [workload.der, ...intermediate.chainDer].map(b64);
    const cached = validatorAt(NOW);
    const first = cached.validate(x5c);
    expect(cached.validate(x5c).pathThumbprints).toBe(first.pathThumbprints);
  });
});

describe('createCertificatePathValidator: validity period', () => {
  it('H3: an expired or not yet valid workload certificate fails', async () => {
    const expired = await issueCertificate(ca, {
      commonName: 'orders', spiffeId: ORDERS, usage: 'client',
      notBefore: new Date((NOW - 2 * DAY_S) * 1000), notAfter: new Date((NOW - 60) * 1000),
    });
    const future = await issueCertificate(ca, {
      commonName: 'orders', spiffeId: ORDERS, usage: 'client',
      notBefore: new Date((NOW + 60) * 1000), notAfter: new Date((NOW + DAY_S) * 1000),
    });
    expectBindingError(() => validator.validate([b64(expired.der)]), FailureType.CertificateNotValidNow, 'invalid_token');
    expectBindingError(() => validator.validate([b64(future.der)]), FailureType.CertificateNotValidNow, 'invalid_token');
  });

  it('H3: the validity period is inclusive: valid at its notBefore and notAfter seconds', async () => {
    const notBefore = NOW - 30; // after the CA's own notBefore (created a minute backdated)
    const notAfter = NOW + 100;
    const workload = await issueCertificate(ca, {
      commonName: 'orders', spiffeId: ORDERS, usage: 'client',
      notBefore: new Date(notBefore * 1000), notAfter: new Date(notAfter * 1000),
    });
    expect(validatorAt(notBefore).validate([b64(workload.der)]).spiffeId).toBe(ORDERS);
    expect(validatorAt(notAfter).validate([b64(workload.der)]).spiffeId).toBe(ORDERS);
    expectBindingError(() => validatorAt(notAfter + 1).validate([b64(workload.der)]), FailureType.CertificateNotValidNow, 'invalid_token');
  });

  it('H3: a cached chain is re-checked against the clock on every hit', async () => {
    let now = NOW;
    const cached = createCertificatePathValidator({ trustAnchorsPem: ca.certificatePem, trustDomain: 'estate.local', clock: () => now });
    const workload = await issueCertificate(ca, {
      // notBefore explicit: issued now, on a busy machine seconds after NOW was read, the default
      // backdate (a tenth of 30 s) would leave it not yet valid at NOW.
      commonName: 'orders', spiffeId: ORDERS, usage: 'client', notBefore: new Date((NOW - 60) * 1000), notAfter: new Date((NOW + 30) * 1000),
    });
    const first = cached.validate([b64(workload.der)]);
    expect(cached.validate([b64(workload.der)])).toBe(first); // served from the cache
    now = NOW + 31;
    expectBindingError(() => cached.validate([b64(workload.der)]), FailureType.CertificateNotValidNow, 'invalid_token');
  });

  it('H3: an expired trust anchor fails the path even while the leaf is valid', async () => {
    const shortCa = await createCertificateAuthority({ validityDays: 1 });
    const workload = await issueCertificate(shortCa, {
      commonName: 'orders', spiffeId: ORDERS, usage: 'client', notAfter: new Date((NOW + 10 * DAY_S) * 1000),
    });
    expect(validatorAt(NOW, shortCa.certificatePem).validate([b64(workload.der)]).spiffeId).toBe(ORDERS);
    expectBindingError(
      () => validatorAt(NOW + 2 * DAY_S, shortCa.certificatePem).validate([b64(workload.der)]),
      FailureType.CertificateNotValidNow,
      'invalid_token',
    );
  });
});

describe('createCertificatePathValidator: x5c syntax and configuration', () => {
  it('H3: x5c entries must be standard base64 DER (RFC 7515 §4.1.6), capped in number', () => {
    const der = Buffer.from(orders.der);
    const cases: string[][] = [
      [],
      [der.toString('base64url')],
      [orders.certificatePem],
      [der.toString('base64').replace(/(.{64})/g, '$1\n')],
      [Buffer.from('not a certificate').toString('base64')],
      [Buffer.concat([der, Buffer.from([0, 0])]).toString('base64')],
      Array.from({ length: 5 }, () => der.toString('base64')),
    ];
    for (const x5c of cases) {
      expectBindingError(() => validator.validate(x5c), FailureType.MalformedProof, 'invalid_dpop_proof');
    }
  });

  it('H3: configuration is checked once, at construction', () => {
    const options = { trustAnchorsPem: ca.certificatePem, trustDomain: 'estate.local' };
    expect(() => createCertificatePathValidator({ ...options, trustDomain: 'Estate.Local' })).toThrow(BindingConfigError);
    expect(() => createCertificatePathValidator({ ...options, trustAnchorsPem: 'no certificate here' })).toThrow(BindingConfigError);
    expect(() => createCertificatePathValidator({ ...options, trustAnchorsPem: orders.certificatePem })).toThrow(BindingConfigError);
    expect(() => createCertificatePathValidator({ ...options, maxChainLength: 0 })).toThrow(BindingConfigError);
    expect(() => createCertificatePathValidator({ ...options, cacheSize: -1 })).toThrow(BindingConfigError);
  });

  it('H3: several anchors may be configured, e.g. during a CA rotation', async () => {
    const next = await createFixtureAuthority({ commonName: 'estate CA 2' });
    const rotated = await issueFixtureCertificate(next, { commonName: 'orders', uris: [ORDERS] });
    const both = validatorAt(NOW, `${ca.certificatePem}\n${next.certificatePem}`);
    expect(both.validate([rotated.x5c]).spiffeId).toBe(ORDERS);
    expect(both.validate([b64(orders.der)]).spiffeId).toBe(ORDERS);
  });
});
