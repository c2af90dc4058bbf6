import { describe, expect, it } from '@jest/globals';
import { expectBindingError } from '../../test-support/expect-binding-error.js';
import { FailureType, type ErrorCode } from '../errors/failure-type.js';
import { checkHopHeaders, type HopHeaderValues } from './check-hop-headers.js';

const LIMITS = { maxTokenLength: 8192, maxProofLength: 16384 };

function expectFailure(headers: HopHeaderValues, type: FailureType, code: ErrorCode): void {
  expectBindingError(() => checkHopHeaders(headers, LIMITS), type, code);
}

describe('checkHopHeaders', () => {
  it('H1: one Hop-Token and one Hop-Proof pass, up to their size caps', () => {
    expect(checkHopHeaders({ token: ['t.o.k'], proof: ['p.r.f'] }, LIMITS)).toEqual({ token: 't.o.k', proof: 'p.r.f' });
    const atCap = { token: ['t'.repeat(8192)], proof: ['p'.repeat(16384)] };
    expect(() => checkHopHeaders(atCap, LIMITS)).not.toThrow();
  });

  it('H1: a missing or empty Hop-Token fails before the proof is looked at', () => {
    expectFailure({ token: undefined, proof: undefined }, FailureType.MissingCredentials, 'invalid_token');
    expectFailure({ token: [], proof: ['p'] }, FailureType.MissingCredentials, 'invalid_token');
    expectFailure({ token: [''], proof: ['p'] }, FailureType.MissingCredentials, 'invalid_token');
  });

  it('H1: two Hop-Token values fail, even when identical', () => {
    expectFailure({ token: ['a', 'a'], proof: ['p'] }, FailureType.MultipleAuthorization, 'invalid_request');
  });

  it('H1: a missing, empty or repeated Hop-Proof fails', () => {
    expectFailure({ token: ['t'], proof: undefined }, FailureType.MissingProof, 'invalid_request');
    expectFailure({ token: ['t'], proof: [''] }, FailureType.MissingProof, 'invalid_request');
    expectFailure({ token: ['t'], proof: ['p', 'q'] }, FailureType.MultipleProofs, 'invalid_request');
  });

  it('H1: values over the size caps fail before any parsing', () => {
    expectFailure({ token: ['t'.repeat(8193)], proof: ['p'] }, FailureType.TokenMalformed, 'invalid_token');
    expectFailure({ token: ['t'], proof: ['p'.repeat(16385)] }, FailureType.ProofTooLarge, 'invalid_dpop_proof');
  });
});
