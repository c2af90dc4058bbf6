import { describe, expect, it } from '@jest/globals';
import { expectBindingError } from '../../test-support/expect-binding-error.js';
import { BindingConfigError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import {
  checkProofTime,
  DEFAULT_IAT_FUTURE_S,
  DEFAULT_IAT_PAST_S,
  replayWindowSeconds,
  resolveProofTimeWindow,
} from './check-proof-time.js';
import { NOW } from './proof-client.fixture.js';

const WINDOW = resolveProofTimeWindow(DEFAULT_IAT_PAST_S, DEFAULT_IAT_FUTURE_S);
const at = (iat: number, more: { exp?: number; nbf?: number } = {}) => ({ iat, exp: more.exp, nbf: more.nbf });

describe('checkProofTime', () => {
  it('E16: a proof 10 s old or 8 s ahead passes', () => {
    expect(() => checkProofTime(at(NOW - 10), NOW, WINDOW)).not.toThrow();
    expect(() => checkProofTime(at(NOW + 8), NOW, WINDOW)).not.toThrow();
  });

  it('E16: a proof an hour old or an hour ahead fails', () => {
    expectBindingError(() => checkProofTime(at(NOW - 3600), NOW, WINDOW), FailureType.ProofNotFresh, 'invalid_dpop_proof');
    expectBindingError(() => checkProofTime(at(NOW + 3600), NOW, WINDOW), FailureType.ProofNotFresh, 'invalid_dpop_proof');
  });

  it('E16: the window bounds are inclusive: 60 s past and 10 s ahead pass, one second more fails', () => {
    expect(() => checkProofTime(at(NOW - 60), NOW, WINDOW)).not.toThrow();
    expect(() => checkProofTime(at(NOW + 10), NOW, WINDOW)).not.toThrow();
    expectBindingError(() => checkProofTime(at(NOW - 61), NOW, WINDOW), FailureType.ProofNotFresh, 'invalid_dpop_proof');
    expectBindingError(() => checkProofTime(at(NOW + 11), NOW, WINDOW), FailureType.ProofNotFresh, 'invalid_dpop_proof');
  });

  it('E10, E16: a fractional iat is judged by the same window: 10.5 s old or 8.25 s ahead passes', () => {
    expect(() => checkProofTime(at(NOW - 10.5), NOW, WINDOW)).not.toThrow();
    expect(() => checkProofTime(at(NOW + 8.25), NOW, WINDOW)).not.toThrow();
    expect(() => checkProofTime(at(NOW - 60), NOW, WINDOW)).not.toThrow();
    expect(() => checkProofTime(at(NOW + 9.999), NOW, WINDOW)).not.toThrow();
  });

  it('E10, E16: a fractional iat just outside the window, or an hour off, fails', () => {
    expectBindingError(() => checkProofTime(at(NOW - 60.001), NOW, WINDOW), FailureType.ProofNotFresh, 'invalid_dpop_proof');
    expectBindingError(() => checkProofTime(at(NOW + 10.001), NOW, WINDOW), FailureType.ProofNotFresh, 'invalid_dpop_proof');
    expectBindingError(() => checkProofTime(at(NOW - 3600.5), NOW, WINDOW), FailureType.ProofNotFresh, 'invalid_dpop_proof');
    expectBindingError(() => checkProofTime(at(NOW + 3600.5), NOW, WINDOW), FailureType.ProofNotFresh, 'invalid_dpop_proof');
  });

  it('E16: exp, when present, is honoured (RFC 7519 §4.1.4: not on or after exp)', () => {
    expect(() => checkProofTime(at(NOW - 5, { exp: NOW + 1 }), NOW, WINDOW)).not.toThrow();
    expectBindingError(() => checkProofTime(at(NOW - 5, { exp: NOW }), NOW, WINDOW), FailureType.ProofNotFresh, 'invalid_dpop_proof');
    expectBindingError(() => checkProofTime(at(NOW - 5, { exp: NOW - 1 }), NOW, WINDOW), FailureType.ProofNotFresh, 'invalid_dpop_proof');
  });

  it('E16: a later exp never widens the iat window', () => {
    expectBindingError(() => checkProofTime(at(NOW - 3600, { exp: NOW + 3600 }), NOW, WINDOW), FailureType.ProofNotFresh, 'invalid_dpop_proof');
  });

  it('E16: nbf, when present, is honoured with the future skew allowed for iat', () => {
    expect(() => checkProofTime(at(NOW, { nbf: NOW + 10 }), NOW, WINDOW)).not.toThrow();
    expectBindingError(() => checkProofTime(at(NOW, { nbf: NOW + 11 }), NOW, WINDOW), FailureType.ProofNotFresh, 'invalid_dpop_proof');
  });

  it('E17: a jti is remembered for the whole acceptance window, future-dated proofs included', () => {
    expect(replayWindowSeconds(WINDOW)).toBe(DEFAULT_IAT_PAST_S + DEFAULT_IAT_FUTURE_S);
  });

  it('E16: the window is validated at construction', () => {
    for (const [past, future] of [[0, 10], [601, 10], [60, -1], [60, 601], [1.5, 10], ['60', 10], [60, undefined]]) {
      expect(() => resolveProofTimeWindow(past, future)).toThrow(BindingConfigError);
    }
    expect(resolveProofTimeWindow(300, 0)).toEqual({ pastSeconds: 300, futureSeconds: 0 });
  });
});
