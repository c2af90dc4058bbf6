import { describe, expect, it } from '@jest/globals';
import { expectBindingError } from '../../test-support/expect-binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import { splitCompactJws } from '../pop/compact-jws.js';
import { DPOP_PROFILE } from './parse-proof-header.js';
import { DEFAULT_MAX_JTI_LENGTH, parseProofClaims } from './parse-proof-claims.js';
import { RFC9449_RESOURCE_REQUEST } from './rfc-examples.fixture.js';

const RULES = { maxJtiLength: DEFAULT_MAX_JTI_LENGTH, requireAth: true };
const VALID = { jti: 'e1j3V_bKic8-LAEB', htm: 'GET', htu: 'https://api.example.com/orders', iat: 1562262618, ath: 'fUHyO2r2' };
const bytes = (value: unknown): Uint8Array => Buffer.from(JSON.stringify(value));
const parse = (claims: Record<string, unknown>, rules = RULES) => parseProofClaims(bytes(claims), rules);

describe('parseProofClaims', () => {
  it('E10: reads the claims of the RFC 9449 §7.1 example proof', () => {
    const payload = Buffer.from(splitCompactJws(RFC9449_RESOURCE_REQUEST.proof, DPOP_PROFILE).payload, 'base64url');
    expect(parseProofClaims(payload, RULES)).toEqual({
      jti: 'e1j3V_bKic8-LAEB',
      htm: 'GET',
      htu: 'https://resource.example.org/protectedresource',
      iat: 1562262618,
      ath: RFC9449_RESOURCE_REQUEST.ath,
      nonce: undefined,
      exp: undefined,
      nbf: undefined,
    });
  });

  it('E10: jti must be a non-empty string under the length cap (RFC 9449 §11.1)', () => {
    for (const jti of [undefined, '', 42, ['a'], 'x'.repeat(DEFAULT_MAX_JTI_LENGTH + 1)]) {
      expectBindingError(() => parse({ ...VALID, jti }), FailureType.ProofClaims, 'invalid_dpop_proof');
    }
    expect(parse({ ...VALID, jti: 'x'.repeat(DEFAULT_MAX_JTI_LENGTH) }).jti).toHaveLength(DEFAULT_MAX_JTI_LENGTH);
  });

  it('E10: htm and htu must be non-empty strings', () => {
    for (const claim of ['htm', 'htu']) {
      for (const value of [undefined, '', 1, null, {}]) {
        expectBindingError(() => parse({ ...VALID, [claim]: value }), FailureType.ProofClaims, 'invalid_dpop_proof');
      }
    }
  });

  it('E10: iat must be a NumericDate: a missing, string, negative, null or non-finite iat fails', () => {
    // 1e999 is valid JSON that parses to Infinity; JSON cannot carry NaN at all.
    for (const iat of [undefined, '1562262618', '1562262618.5', -1, -0.5, null, true, [1562262618], Number.NaN, Infinity, -Infinity]) {
      expectBindingError(() => parse({ ...VALID, iat }), FailureType.ProofClaims, 'invalid_dpop_proof');
    }
    const infinite = Buffer.from(JSON.stringify(VALID).replace('"iat":1562262618', '"iat":1e999'));
    expectBindingError(() => parseProofClaims(infinite, RULES), FailureType.ProofClaims, 'invalid_dpop_proof');
  });

  it('E10: a fractional iat (RFC 7519 §2 NumericDate, Date.now() / 1000 unfloored) is read as sent', () => {
    expect(parse({ ...VALID, iat: 1562262618.5 }).iat).toBe(1562262618.5);
    expect(parse({ ...VALID, iat: 1562262618.123456 }).iat).toBe(1562262618.123456);
    expect(parse({ ...VALID, iat: 1562262618 }).iat).toBe(1562262618);
  });

  it('E10: ath is required when a token is presented, and must be a string', () => {
    const { ath: _ath, ...withoutAth } = VALID;
    expectBindingError(() => parse(withoutAth), FailureType.ProofClaims, 'invalid_dpop_proof');
    expectBindingError(() => parse({ ...VALID, ath: 7 }), FailureType.ProofClaims, 'invalid_dpop_proof');
    expect(parse(withoutAth, { ...RULES, requireAth: false }).ath).toBeUndefined();
  });

  it('E10: nonce, when present, must be a string', () => {
    for (const nonce of [1, '', null, ['n']]) {
      expectBindingError(() => parse({ ...VALID, nonce }), FailureType.ProofClaims, 'invalid_dpop_proof');
    }
    expect(parse({ ...VALID, nonce: 'eyJ7S_zG.eyJH0-Z.HX4w-7v' }).nonce).toBe('eyJ7S_zG.eyJH0-Z.HX4w-7v');
  });

  it('E10, E16: exp and nbf, when present, must be NumericDates (fractions allowed, RFC 7519 §2)', () => {
    for (const claim of ['exp', 'nbf']) {
      for (const value of ['1562262700', null, -5, {}]) {
        expectBindingError(() => parse({ ...VALID, [claim]: value }), FailureType.ProofClaims, 'invalid_dpop_proof');
      }
    }
    expect(parse({ ...VALID, exp: 1562262700.5, nbf: 1562262600 })).toMatchObject({ exp: 1562262700.5, nbf: 1562262600 });
  });

  it('E10: unknown claims are ignored, not rejected, and not passed on', () => {
    const claims = parse({ ...VALID, foo: 'bar', htm2: 1, cnf: { jkt: 'x' } });
    expect(claims).toEqual({ ...VALID, nonce: undefined, exp: undefined, nbf: undefined });
    expect(Object.isFrozen(claims)).toBe(true);
  });

  it('E6: a payload that is not a JSON object is malformed', () => {
    for (const payload of [Buffer.from('not json'), bytes([VALID]), bytes('claims'), Buffer.from([0xc3, 0x28])]) {
      expectBindingError(() => parseProofClaims(payload, RULES), FailureType.MalformedProof, 'invalid_dpop_proof');
    }
  });
});
