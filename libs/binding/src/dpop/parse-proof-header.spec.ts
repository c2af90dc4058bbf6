import { describe, expect, it } from '@jest/globals';
import { base64urlJson, unsignedCompact } from '../../test-support/compact-jws.js';
import { createProofClient } from '../../test-support/dpop-proofs.js';
import { expectBindingError } from '../../test-support/expect-binding-error.js';
import { BindingConfigError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import { splitCompactJws } from '../pop/compact-jws.js';
import { DPOP_PROFILE, parseProofHeader } from './parse-proof-header.js';
import { DEFAULT_DPOP_ALGORITHMS, resolveDpopAlgorithms } from './proof-algorithms.js';
import { RFC7638_JWK, RFC9449_JWK, RFC9449_RESOURCE_REQUEST } from './rfc-examples.fixture.js';

const ALGS = DEFAULT_DPOP_ALGORITHMS;
const header = (members: Record<string, unknown>): string => base64urlJson({ typ: 'dpop+jwt', alg: 'ES256', jwk: RFC9449_JWK, ...members });
/** A base64url number of `bits` significant bits, as an RSA modulus would be written. */
const modulus = (bits: number): string => {
  const bytes = Buffer.alloc(Math.ceil(bits / 8), 0xff);
  bytes[0] = 0xff >> (bytes.length * 8 - bits);
  return bytes.toString('base64url');
};

describe('parseProofHeader', () => {
  it('E7-E9: reads typ, alg and jwk of the RFC 9449 example proof', () => {
    const segment = splitCompactJws(RFC9449_RESOURCE_REQUEST.proof, DPOP_PROFILE).header;
    expect(parseProofHeader(segment, ALGS)).toEqual({ alg: 'ES256', jwk: RFC9449_JWK });
  });

  it('E6: a header that is not a JSON object is malformed', () => {
    for (const segment of ['bm90IGpzb24', base64urlJson([1]), base64urlJson('dpop+jwt'), base64urlJson(null), Buffer.from([0xff, 0xfe]).toString('base64url')]) {
      expectBindingError(() => parseProofHeader(segment, ALGS), FailureType.MalformedProof, 'invalid_dpop_proof');
    }
  });

  it('E6: any crit is refused, since no extension is understood (RFC 7515 §4.1.11)', () => {
    for (const crit of [['b64'], ['exp'], [], 'b64']) {
      expectBindingError(() => parseProofHeader(header({ crit, b64: false }), ALGS), FailureType.MalformedProof, 'invalid_dpop_proof');
    }
  });

  it('E7: typ must be exactly dpop+jwt', () => {
    for (const typ of ['jwt', 'JWT', 'DPoP+JWT', 'application/dpop+jwt', 'at+jwt', 'hop+jwt', '', null, undefined]) {
      expectBindingError(() => parseProofHeader(header({ typ }), ALGS), FailureType.ProofType, 'invalid_dpop_proof');
    }
    expect(parseProofHeader(header({ typ: 'dpop+jwt' }), ALGS).alg).toBe('ES256');
  });

  it('E8: none, HMAC, unlisted, missing or odd alg values are refused', () => {
    for (const alg of ['none', 'None', 'HS256', 'HS512', 'RS256', 'ES384', 'es256', '', 'constructor', '__proto__', 42, undefined]) {
      expectBindingError(() => parseProofHeader(header({ alg }), ALGS), FailureType.ProofAlgorithm, 'invalid_dpop_proof');
    }
  });

  it('E8: each default algorithm is accepted with a key of its kind', async () => {
    for (const alg of ALGS) {
      const client = await createProofClient(alg);
      expect(parseProofHeader(header({ alg, jwk: client.publicJwk }), ALGS).alg).toBe(alg);
    }
  });

  it('E8: the allow-list is validated at construction and holds only asymmetric algorithms', () => {
    for (const list of [[], ['none'], ['HS256'], ['ES256', 'HS384'], ['ES256', 'ES256'], ['dir'], 'ES256', undefined]) {
      expect(() => resolveDpopAlgorithms(list)).toThrow(BindingConfigError);
    }
    expect(resolveDpopAlgorithms(['ES384', 'RS256'])).toEqual(['ES384', 'RS256']);
    expect(Object.isFrozen(resolveDpopAlgorithms(['ES256']))).toBe(true);
  });

  it('E9: a jwk holding private or symmetric key material is refused, member by member', () => {
    for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']) {
      const jwk = { ...RFC9449_JWK, [member]: 'AQAB' };
      expectBindingError(() => parseProofHeader(header({ jwk }), ALGS), FailureType.ProofKey, 'invalid_dpop_proof');
    }
  });

  it('E9: jwk must be an object', () => {
    for (const jwk of [undefined, null, 'eyJrdHkiOiJFQyJ9', [RFC9449_JWK]]) {
      expectBindingError(() => parseProofHeader(header({ jwk }), ALGS), FailureType.ProofKey, 'invalid_dpop_proof');
    }
  });

  it('E9: kty and crv are pinned by alg', async () => {
    const ed25519 = (await createProofClient('EdDSA')).publicJwk;
    const p384 = (await createProofClient('ES384')).publicJwk;
    const cases: Array<[string, unknown]> = [
      ['ES256', ed25519],
      ['ES256', p384],
      ['ES256', RFC7638_JWK],
      ['ES256', { ...RFC9449_JWK, crv: 'secp256k1' }],
      ['EdDSA', RFC9449_JWK],
      ['EdDSA', { ...ed25519, crv: 'Ed448' }],
      ['PS256', RFC9449_JWK],
    ];
    for (const [alg, jwk] of cases) {
      expectBindingError(() => parseProofHeader(header({ alg, jwk }), ALGS), FailureType.ProofKey, 'invalid_dpop_proof');
    }
    expect(parseProofHeader(header({ alg: 'ES384', jwk: p384 }), ['ES384']).jwk).toMatchObject({ kty: 'EC', crv: 'P-384' });
  });

  it('E9: coordinates must be base64url of the curve size', () => {
    for (const x of [RFC9449_JWK.x.slice(1), `${RFC9449_JWK.x}A`, RFC9449_JWK.x.replace('-', '+'), 42]) {
      expectBindingError(() => parseProofHeader(header({ jwk: { ...RFC9449_JWK, x } }), ALGS), FailureType.ProofKey, 'invalid_dpop_proof');
    }
  });

  it('E9: an RSA modulus of 2048 to 4096 bits passes (leading zero octets not counted), smaller or larger fails', () => {
    const rsa = (n: string) => header({ alg: 'PS256', jwk: { kty: 'RSA', e: 'AQAB', n } });
    expect(parseProofHeader(rsa(RFC7638_JWK.n), ALGS).jwk).toEqual({ kty: 'RSA', e: 'AQAB', n: RFC7638_JWK.n });
    expect(parseProofHeader(rsa(modulus(4096)), ALGS).alg).toBe('PS256');
    const zeroPrefixed = Buffer.concat([Buffer.from([0]), Buffer.from(modulus(2048), 'base64url')]).toString('base64url');
    expect(parseProofHeader(rsa(zeroPrefixed), ALGS).alg).toBe('PS256');
    for (const bits of [1024, 2047, 4097, 8192]) {
      expectBindingError(() => parseProofHeader(rsa(modulus(bits)), ALGS), FailureType.ProofKey, 'invalid_dpop_proof');
    }
  });

  it('E9: the key comes only from jwk; kid, jku, x5u and x5c are ignored', () => {
    const elsewhere = { kid: 'other-key', jku: 'https://evil.example/jwks', x5u: 'https://evil.example/cert', x5c: ['MIIB'] };
    expect(parseProofHeader(header(elsewhere), ALGS)).toEqual({ alg: 'ES256', jwk: RFC9449_JWK });
  });

  it('E10: unknown header parameters and jwk members are ignored, not rejected', () => {
    const jwk = { ...RFC9449_JWK, kid: 'k1', use: 'sig', key_ops: ['verify'], alg: 'ES256', ext: true };
    expect(parseProofHeader(header({ jwk, foo: 'bar', nonce: 1 }), ALGS)).toEqual({ alg: 'ES256', jwk: RFC9449_JWK });
  });

  it('E6: a JSON serialization never reaches the header parser as three segments', () => {
    const json = JSON.stringify({ protected: header({}), payload: 'e30', signature: 'c2ln' });
    expectBindingError(() => splitCompactJws(json, DPOP_PROFILE), FailureType.MalformedProof, 'invalid_dpop_proof');
    expect(splitCompactJws(unsignedCompact({ typ: 'dpop+jwt' }), DPOP_PROFILE).signature).toBe('c2lnbmF0dXJl');
  });
});
