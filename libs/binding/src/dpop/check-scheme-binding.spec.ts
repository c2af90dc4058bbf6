import { describe, expect, it } from '@jest/globals';
import { expectBindingError } from '../../test-support/expect-binding-error.js';
import { BindingConfigError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import type { AccessTokenClaims } from '../token/access-token.js';
import { checkSchemeBinding, DEFAULT_UNBOUND_TOKENS, resolveUnboundTokenPolicy, type UnboundTokenPolicy } from './check-scheme-binding.js';

const JKT = 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs';
const token = (cnf?: unknown): AccessTokenClaims =>
  ({ iss: 'https://auth.example.com', sub: 'alice', aud: 'https://api.example.com', exp: 1_700_000_300, ...(cnf === undefined ? {} : { cnf }) }) as AccessTokenClaims;
const POLICIES: readonly UnboundTokenPolicy[] = ['refuse', 'accept-as-bearer'];

describe('checkSchemeBinding', () => {
  it('E5: an unbound token as Bearer is refused by default (invalid_token), accepted where the route says accept-as-bearer', () => {
    expect(DEFAULT_UNBOUND_TOKENS).toBe('refuse');
    expectBindingError(() => checkSchemeBinding('bearer', token(), undefined, 'refuse'), FailureType.UnboundToken, 'invalid_token');
    expect(() => checkSchemeBinding('bearer', token(), undefined, 'accept-as-bearer')).not.toThrow();
    expect(() => checkSchemeBinding('bearer', token({}), undefined, 'accept-as-bearer')).not.toThrow(); // an empty cnf binds nothing
  });

  it('E5: a DPoP-bound token as Bearer is a downgrade under either policy (RFC 9449 §7.2)', () => {
    for (const policy of POLICIES) {
      expectBindingError(() => checkSchemeBinding('bearer', token({ jkt: JKT }), undefined, policy), FailureType.SchemeDowngrade, 'invalid_token');
    }
  });

  it('E21: a certificate-bound token is refused as Bearer under either policy, and as DPoP', () => {
    const certificateBound = token({ 'x5t#S256': 'bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2' });
    for (const policy of POLICIES) {
      expectBindingError(() => checkSchemeBinding('bearer', certificateBound, undefined, policy), FailureType.ConfirmationMethod, 'invalid_token');
      expectBindingError(() => checkSchemeBinding('dpop', certificateBound, JKT, policy), FailureType.ConfirmationMethod, 'invalid_token');
    }
  });

  it('E5, E21: a token bound by another RFC 7800 method (jwk, kid) is never taken for an unbound one', () => {
    for (const cnf of [{ jwk: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y' } }, { kid: 'key-1' }, { jku: 'https://auth.example.com/keys' }]) {
      expectBindingError(() => checkSchemeBinding('bearer', token(cnf), undefined, 'accept-as-bearer'), FailureType.ConfirmationMethod, 'invalid_token');
    }
  });

  it('E5: a cnf that is not an object is malformed with either scheme', () => {
    for (const cnf of ['jkt', null, [JKT], 7]) {
      expectBindingError(() => checkSchemeBinding('bearer', token(cnf), undefined, 'accept-as-bearer'), FailureType.TokenMalformed, 'invalid_token');
    }
  });

  it('E5, E20: the DPoP scheme needs a DPoP-bound token whatever the route accepts as Bearer', () => {
    for (const policy of POLICIES) {
      expectBindingError(() => checkSchemeBinding('dpop', token(), JKT, policy), FailureType.UnboundToken, 'invalid_token');
      expect(() => checkSchemeBinding('dpop', token({ jkt: JKT }), JKT, policy)).not.toThrow();
      expectBindingError(() => checkSchemeBinding('dpop', token({ jkt: JKT }), 'another-key', policy), FailureType.ConfirmationMismatch, 'invalid_token');
    }
  });

  it('the policy is validated where it is declared: a typo throws a configuration error', () => {
    expect(resolveUnboundTokenPolicy('accept-as-bearer', 'test')).toBe('accept-as-bearer');
    expect(resolveUnboundTokenPolicy('refuse', 'test')).toBe('refuse');
    for (const value of ['accept', 'Accept-As-Bearer', true, undefined, null]) {
      expect(() => resolveUnboundTokenPolicy(value, 'test')).toThrow(BindingConfigError);
    }
  });
});
