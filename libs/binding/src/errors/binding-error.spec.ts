import { describe, expect, it } from '@jest/globals';
import { BindingError } from './binding-error.js';
import { FAILURES, FailureType, toHopMapping } from './failure-type.js';

describe('failure types', () => {
  it('E22: every failure type maps to one RFC error value and status', () => {
    for (const type of Object.values(FailureType)) {
      const { code, status } = FAILURES[type];
      expect(code).toMatch(/^[a-z_]+$/);
      expect([400, 401, 403, 503]).toContain(status);
    }
  });

  it('E22: a BindingError carries its type, code and status', () => {
    const error = new BindingError(FailureType.HtmMismatch, 'htm does not match the request method');
    expect(error).toMatchObject({ type: 'htm_mismatch', code: 'invalid_dpop_proof', status: 401 });
  });

  it('RFC 6749 §5.2: token-exchange refusals are 400, unauthorized_client included; an unexpected failure is 503, never an accept', () => {
    expect(FAILURES[FailureType.ExchangeNotAllowed]).toEqual({ code: 'unauthorized_client', status: 400 });
    expect(FAILURES[FailureType.ExchangeInvalidScope]).toEqual({ code: 'invalid_scope', status: 400 });
    expect(FAILURES[FailureType.CheckFailed]).toEqual({ code: 'temporarily_unavailable', status: 503 });
  });

  it('H13: proof failures at a hop answer invalid_token (RFC 8705 §3)', () => {
    expect(toHopMapping(FailureType.ProofSignature)).toEqual({ code: 'invalid_token', status: 401 });
    expect(toHopMapping(FailureType.MultipleProofs).code).toBe('invalid_request');
  });
});
