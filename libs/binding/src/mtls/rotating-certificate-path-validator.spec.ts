import { describe, expect, it } from '@jest/globals';
import { expectBindingError } from '../../test-support/expect-binding-error.js';
import { createFixtureAuthority, issueFixtureCertificate } from '../../test-support/fixture-certificates.js';
import { FailureType } from '../errors/failure-type.js';
import { createCertificatePathValidator } from './certificate-path.js';
import { RotatingCertificatePathValidator } from './rotating-certificate-path-validator.js';

const ORDERS = 'spiffe://estate.local/orders';
const validatorFor = (...anchors: string[]) => createCertificatePathValidator({ trustAnchorsPem: anchors, trustDomain: 'estate.local' });

describe('RotatingCertificatePathValidator (L4, receiver side)', () => {
  it('L4: a CA added to the bundle is trusted after use(); a removed one stops validating, cached paths included', async () => {
    const [oldCa, newCa] = await Promise.all([createFixtureAuthority({ commonName: 'old CA' }), createFixtureAuthority({ commonName: 'new CA' })]);
    const oldLeaf = await issueFixtureCertificate(oldCa, { commonName: 'orders', uris: [ORDERS] });
    const newLeaf = await issueFixtureCertificate(newCa, { commonName: 'orders', uris: [ORDERS] });
    const validator = new RotatingCertificatePathValidator(validatorFor(oldCa.certificatePem));

    expect(validator.validate([oldLeaf.x5c]).spiffeId).toBe(ORDERS);
    expectBindingError(() => validator.validate([newLeaf.x5c]), FailureType.CertificateUntrusted, 'invalid_token');

    validator.use(validatorFor(oldCa.certificatePem, newCa.certificatePem));
    expect(validator.validate([newLeaf.x5c]).spiffeId).toBe(ORDERS);
    expect(validator.validate([oldLeaf.x5c]).spiffeId).toBe(ORDERS);

    validator.use(validatorFor(newCa.certificatePem));
    expect(validator.validate([newLeaf.x5c]).spiffeId).toBe(ORDERS);
    expectBindingError(() => validator.validate([oldLeaf.x5c]), FailureType.CertificateUntrusted, 'invalid_token');
  });
});
