import { describe, expect, it } from '@jest/globals';
import { base64urlJson } from '../../test-support/compact-jws.js';
import { expectBindingError } from '../../test-support/expect-binding-error.js';
import { BindingConfigError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import { splitCompactJws } from '../pop/compact-jws.js';
import { DPOP_PROFILE } from './parse-proof-header.js';
import { ProofKeyCache } from './proof-key-cache.js';
import { RFC7638_JWK, RFC7638_THUMBPRINT, RFC9449_JKT, RFC9449_JWK, RFC9449_RESOURCE_REQUEST } from './rfc-examples.fixture.js';

const header = (members: Record<string, unknown>): string => base64urlJson({ typ: 'dpop+jwt', ...members });

describe('ProofKeyCache', () => {
  it('E9: RFC 7638 §3.1: the example RSA key has thumbprint NzbLsXh8...; its other members do not count', async () => {
    const keys = new ProofKeyCache(['RS256']);
    const proofKey = await keys.resolve(header({ alg: 'RS256', jwk: RFC7638_JWK }));
    expect(proofKey.jkt).toBe(RFC7638_THUMBPRINT);
    expect(proofKey.key).toMatchObject({ alg: 'RS256', signatureLength: 256 });
    expect(proofKey.key.keyObject.asymmetricKeyType).toBe('rsa');
  });

  it('E20: RFC 9449 §6.1: the key of the example proofs has jkt 0ZcOCORZ...', async () => {
    const keys = new ProofKeyCache(['ES256']);
    const proofKey = await keys.resolve(splitCompactJws(RFC9449_RESOURCE_REQUEST.proof, DPOP_PROFILE).header);
    expect(proofKey).toMatchObject({ alg: 'ES256', jkt: RFC9449_JKT });
    expect(proofKey.key.alg).toBe('ES256');
    expect(proofKey.key.keyObject.type).toBe('public');
  });

  it('E9: a repeated header is served from the cache as the same frozen ProofKey', async () => {
    const keys = new ProofKeyCache(['ES256']);
    const segment = header({ alg: 'ES256', jwk: RFC9449_JWK });
    const first = await keys.resolve(segment);
    expect(await keys.resolve(segment)).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
  });

  it('E9: the imported key is cached per (alg, thumbprint): one RSA key under PS256 and RS256 gives two keys', async () => {
    const keys = new ProofKeyCache(['PS256', 'RS256']);
    const pss = await keys.resolve(header({ alg: 'PS256', jwk: RFC7638_JWK }));
    const pkcs1 = await keys.resolve(header({ alg: 'RS256', jwk: RFC7638_JWK }));
    expect(pss.jkt).toBe(pkcs1.jkt);
    expect(pss.key).not.toBe(pkcs1.key);
    expect(pss.key.alg).toBe('PS256');
    expect(pkcs1.key.alg).toBe('RS256');
  });

  it('E9: two headers serializing one key differently share the key imported for their (alg, thumbprint)', async () => {
    const keys = new ProofKeyCache(['ES256']);
    const first = await keys.resolve(header({ alg: 'ES256', jwk: RFC9449_JWK }));
    const reordered = await keys.resolve(base64urlJson({ alg: 'ES256', typ: 'dpop+jwt', jwk: { ...RFC9449_JWK, kid: 'k' } }));
    expect(reordered).not.toBe(first);
    expect(reordered.key).toBe(first.key);
  });

  it('E8: a key cached under an allowed alg does not make another alg acceptable', async () => {
    const keys = new ProofKeyCache(['PS256']);
    await keys.resolve(header({ alg: 'PS256', jwk: RFC7638_JWK }));
    await expectBindingError(keys.resolve(header({ alg: 'RS256', jwk: RFC7638_JWK })), FailureType.ProofAlgorithm, 'invalid_dpop_proof');
  });

  it('E7: a header that differs from a cached one only in typ is checked in full and refused', async () => {
    const keys = new ProofKeyCache(['ES256']);
    await keys.resolve(header({ alg: 'ES256', jwk: RFC9449_JWK }));
    const swapped = base64urlJson({ typ: 'jwt', alg: 'ES256', jwk: RFC9449_JWK });
    await expectBindingError(keys.resolve(swapped), FailureType.ProofType, 'invalid_dpop_proof');
  });

  it('E9: a point that is not on the curve fails at import, every time (failures are not cached)', async () => {
    const keys = new ProofKeyCache(['ES256']);
    const offCurve = header({ alg: 'ES256', jwk: { ...RFC9449_JWK, y: RFC9449_JWK.x } });
    for (let attempt = 0; attempt < 2; attempt += 1) {
      await expectBindingError(keys.resolve(offCurve), FailureType.ProofKey, 'invalid_dpop_proof');
    }
  });

  it('E9: the cache size is validated at construction', () => {
    for (const size of [0, -1, 1.5, Number.NaN, 2_000_000]) {
      expect(() => new ProofKeyCache(['ES256'], size)).toThrow(BindingConfigError);
    }
  });
});
