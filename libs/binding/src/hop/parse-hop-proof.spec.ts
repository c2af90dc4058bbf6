import { describe, expect, it } from '@jest/globals';
import { expectBindingError } from '../../test-support/expect-binding-error.js';
import { FailureType, type ErrorCode } from '../errors/failure-type.js';
import { parseHopProof, parseHopProofClaims } from './parse-hop-proof.js';

const ALGORITHMS = ['ES256', 'EdDSA'] as const;
const X5C = ['MIIB'];
const HEADER = { typ: 'hop+jwt', alg: 'ES256', x5c: X5C };
const CLAIMS = { jti: 'id-1', iat: 1_700_000_000, exp: 1_700_000_060, aud: 'spiffe://estate.local/inventory', sub: 'inventory.reserve', ath: 'a', pdh: 'p' };
const SIGNATURE = Buffer.alloc(64, 1).toString('base64url');

const bytes = (value: unknown): Buffer => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));
const segment = (value: unknown): string => bytes(value).toString('base64url');
const proof = (header: unknown = HEADER, claims: unknown = CLAIMS, signature = SIGNATURE): string =>
  `${segment(header)}.${segment(claims)}.${signature}`;

function expectFailure(text: string, type: FailureType, code: ErrorCode, algorithms: readonly ('ES256' | 'EdDSA')[] = ALGORITHMS): void {
  expectBindingError(() => parseHopProof(text, algorithms), type, code);
}

describe('parseHopProof', () => {
  it('H2: a well-formed hop proof parses; unknown header parameters and claims are ignored', () => {
    const text = proof({ ...HEADER, kid: 'ignored', jku: 'https://attacker.example/jwks', jwk: { kty: 'EC' } }, { ...CLAIMS, extra: 1 });
    expect(parseHopProof(text, ALGORITHMS)).toEqual({ header: HEADER, jws: text });
    expect(parseHopProofClaims(bytes({ ...CLAIMS, extra: 1 }))).toEqual(CLAIMS);
  });

  it('H2: with a header cache, a known header segment is served checked and frozen; any other byte, or a refused header, is checked in full and never cached', () => {
    const cache = new Map<string, ReturnType<typeof parseHopProof>['header']>();
    const first = parseHopProof(proof(), ALGORITHMS, cache);
    expect(first).toEqual({ header: HEADER, jws: proof() });
    expect(Object.isFrozen(first.header) && Object.isFrozen(first.header.x5c)).toBe(true);
    const again = proof(HEADER, { ...CLAIMS, jti: 'id-2' });
    expect(parseHopProof(again, ALGORITHMS, cache)).toEqual({ header: first.header, jws: again });
    expect(parseHopProof(again, ALGORITHMS, cache).header).toBe(first.header);
    expect(cache.size).toBe(1);
    // A header that differs (here only in typ) misses and fails as it would without the cache.
    expectBindingError(() => parseHopProof(proof({ ...HEADER, typ: 'dpop+jwt' }), ALGORITHMS, cache), FailureType.ProofType, 'invalid_dpop_proof');
    expectBindingError(() => parseHopProof(proof({ ...HEADER, x5c: ['not base64!'] }), ALGORITHMS, cache), FailureType.MalformedProof, 'invalid_dpop_proof');
    expect(cache.size).toBe(1);
    // The signature's spelling is still checked on every proof, cached header or not.
    const respelled = `${SIGNATURE.slice(0, -1)}${SIGNATURE.endsWith('Q') ? 'R' : 'Q'}`;
    expectBindingError(() => parseHopProof(proof(HEADER, CLAIMS, respelled), ALGORITHMS, cache), FailureType.MalformedProof, 'invalid_dpop_proof');
  });

  it('H4: parsing reads the header only: claims that are not even JSON are left for after the signature', () => {
    expect(parseHopProof(proof(HEADER, 'not json'), ALGORITHMS)).toEqual({ header: HEADER, jws: proof(HEADER, 'not json') });
  });

  it('H2: anything but three non-empty base64url segments is malformed (JWE, JSON serialization, padding)', () => {
    const good = proof();
    for (const text of [`${good}.x.y`, good.split('.').slice(0, 2).join('.'), `${good}=`, `${good.split('.')[0]}..${SIGNATURE}`, `{"payload":"x"}`]) {
      expectFailure(text, FailureType.MalformedProof, 'invalid_dpop_proof');
    }
  });

  it('H2, H4: the signature in another spelling of the same bytes (non-zero pad bits) is malformed', () => {
    const respelled = `${SIGNATURE.slice(0, -1)}${SIGNATURE.endsWith('Q') ? 'R' : 'Q'}`;
    expect(Buffer.from(respelled, 'base64url')).toEqual(Buffer.from(SIGNATURE, 'base64url'));
    expectFailure(proof(HEADER, CLAIMS, respelled), FailureType.MalformedProof, 'invalid_dpop_proof');
    expect(parseHopProof(proof(), ALGORITHMS).jws).toBe(proof());
  });

  it('H2: a header or claims segment that is not a JSON object is malformed', () => {
    expectFailure(proof('not json'), FailureType.MalformedProof, 'invalid_dpop_proof');
    expectFailure(proof([HEADER]), FailureType.MalformedProof, 'invalid_dpop_proof');
    expectFailure(`${Buffer.from([0xff, 0xfe]).toString('base64url')}.${segment(CLAIMS)}.${SIGNATURE}`, FailureType.MalformedProof, 'invalid_dpop_proof');
    for (const claims of [bytes([CLAIMS]), bytes('not json'), bytes('null'), Buffer.from([0xff, 0xfe])]) {
      expectBindingError(() => parseHopProofClaims(claims), FailureType.MalformedProof, 'invalid_dpop_proof');
    }
  });

  it('H2: invalid UTF-8 inside a JSON string of the header or the claims is malformed, not replaced', () => {
    const header = Buffer.concat([Buffer.from('{"typ":"hop+jwt","alg":"ES256","x5c":["MIIB"],"x":"'), Buffer.from([0xc3]), Buffer.from('"}')]);
    expectFailure(`${header.toString('base64url')}.${segment(CLAIMS)}.${SIGNATURE}`, FailureType.MalformedProof, 'invalid_dpop_proof');
    const claims = Buffer.concat([Buffer.from(JSON.stringify(CLAIMS).slice(0, -1) + ',"x":"'), Buffer.from([0xc3]), Buffer.from('"}')]);
    expectBindingError(() => parseHopProofClaims(claims), FailureType.MalformedProof, 'invalid_dpop_proof');
  });

  it('H2: typ must be exactly hop+jwt (a DPoP proof or an access token is not a hop proof)', () => {
    for (const typ of ['dpop+jwt', 'at+jwt', 'JWT', 'application/hop+jwt', undefined]) {
      expectFailure(proof({ ...HEADER, typ }), FailureType.ProofType, 'invalid_dpop_proof');
    }
  });

  it('H2: alg must be in the allow-list: never none, HMAC, or an algorithm left out by configuration', () => {
    for (const alg of ['none', 'HS256', 'RS256', 'ES384', 'es256', undefined]) {
      expectFailure(proof({ ...HEADER, alg }), FailureType.ProofAlgorithm, 'invalid_dpop_proof');
    }
    expectFailure(proof({ ...HEADER, alg: 'EdDSA' }), FailureType.ProofAlgorithm, 'invalid_dpop_proof', ['ES256']);
    expect(parseHopProof(proof({ ...HEADER, alg: 'EdDSA' }), ALGORITHMS).header.alg).toBe('EdDSA');
  });

  it('H2: a crit header naming any extension is refused (RFC 7515 §4.1.11)', () => {
    expectFailure(proof({ ...HEADER, crit: ['b64'], b64: false }), FailureType.MalformedProof, 'invalid_dpop_proof');
  });

  it('H2: x5c must be a non-empty array of strings', () => {
    for (const x5c of [undefined, [], 'MIIB', [42], [['MIIB']]]) {
      expectFailure(proof({ ...HEADER, x5c }), FailureType.MalformedProof, 'invalid_dpop_proof');
    }
  });

  it('H2: every claim must be present and typed', () => {
    const broken: Record<string, unknown>[] = [
      { jti: undefined }, { jti: '' }, { jti: 'x'.repeat(257) }, { jti: 7 },
      { iat: undefined }, { iat: '1700000000' }, { iat: -1 }, { iat: -0.5 }, { iat: null }, { iat: Infinity }, { iat: Number.NaN },
      { aud: undefined }, { aud: ['spiffe://estate.local/inventory'] }, { sub: '' }, { ath: null }, { pdh: 1 },
    ];
    for (const change of broken) {
      expectBindingError(() => parseHopProofClaims(bytes({ ...CLAIMS, ...change })), FailureType.ProofClaims, 'invalid_dpop_proof');
    }
  });

  it('H2, E10: iat is a NumericDate (RFC 7519 §2): a fractional iat is read as sent, 1e999 (Infinity) fails', () => {
    expect(parseHopProofClaims(bytes({ ...CLAIMS, iat: 1_700_000_000.25 })).iat).toBe(1_700_000_000.25);
    expect(parseHopProofClaims(bytes(CLAIMS)).iat).toBe(1_700_000_000);
    const infinite = Buffer.from(JSON.stringify(CLAIMS).replace('"iat":1700000000', '"iat":1e999'));
    expectBindingError(() => parseHopProofClaims(infinite), FailureType.ProofClaims, 'invalid_dpop_proof');
  });

  it('H6: exp is required and a NumericDate (WIMSE WPT): missing, a string or null fails; a fractional one is read as sent', () => {
    const { exp: _omitted, ...withoutExp } = CLAIMS;
    for (const claims of [withoutExp, { ...CLAIMS, exp: '1700000060' }, { ...CLAIMS, exp: null }]) {
      expectBindingError(() => parseHopProofClaims(bytes(claims)), FailureType.ProofClaims, 'invalid_dpop_proof');
    }
    expect(parseHopProofClaims(bytes({ ...CLAIMS, exp: 1_700_000_030.5 })).exp).toBe(1_700_000_030.5);
  });
});
