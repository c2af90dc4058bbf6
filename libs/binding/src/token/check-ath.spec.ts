import { describe, expect, it } from '@jest/globals';
import { expectBindingError } from '../../test-support/expect-binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import { checkAth } from './check-ath.js';
import { RFC9449_RESOURCE_REQUEST } from '../dpop/rfc-examples.fixture.js';

const { accessToken, ath } = RFC9449_RESOURCE_REQUEST;

describe('checkAth', () => {
  it('E19: RFC 9449 §7.1: ath fUHyO2r2... is the hash of the example token Kz~8mXK1...', () => {
    expect(() => checkAth(ath, accessToken)).not.toThrow();
  });

  it('E19: an ath computed over another token fails', () => {
    for (const token of [`${accessToken}x`, accessToken.toLowerCase(), ` ${accessToken}`, `${accessToken}=`]) {
      expectBindingError(() => checkAth(ath, token), FailureType.AthMismatch, 'invalid_dpop_proof');
    }
  });

  it('E19: an ath that is not the base64url hash fails, whatever its length', () => {
    for (const claim of ['', ath.slice(1), `${ath}=`, Buffer.from(ath, 'base64url').toString('hex'), ath.toUpperCase()]) {
      expectBindingError(() => checkAth(claim, accessToken), FailureType.AthMismatch, 'invalid_dpop_proof');
    }
  });

  it('E10: a missing ath, with a token presented, is a claims failure', () => {
    expectBindingError(() => checkAth(undefined, accessToken), FailureType.ProofClaims, 'invalid_dpop_proof');
  });
});
