import { describe, expect, it } from '@jest/globals';
import { BindingError } from '../src/errors/binding-error.js';
import { FailureType } from '../src/errors/failure-type.js';
import { expectBindingError } from './expect-binding-error.js';

// The helper every negative spec leans on must itself fail when the refusal is not the one named.
const replayed = (): never => {
  throw new BindingError(FailureType.ProofReplayed, 'jti seen');
};

describe('expectBindingError', () => {
  it('returns the BindingError a function throws or a promise rejects with, when type and code match', async () => {
    expect(expectBindingError(replayed, FailureType.ProofReplayed, 'invalid_dpop_proof').status).toBe(401);
    const error = await expectBindingError(Promise.reject(new BindingError(FailureType.Revoked, 'revoked')), FailureType.Revoked, 'invalid_token');
    expect(error).toBeInstanceOf(BindingError);
  });

  it('fails on another type, another code, another error, a return or a resolution', async () => {
    expect(() => expectBindingError(replayed, FailureType.ProofSignature, 'invalid_dpop_proof')).toThrow(/type/);
    expect(() => expectBindingError(replayed, FailureType.ProofReplayed, 'invalid_token')).toThrow(/code/);
    expect(() => expectBindingError(() => { throw new TypeError('bug'); }, FailureType.ProofReplayed, 'invalid_dpop_proof')).toThrow(/BindingError/);
    expect(() => expectBindingError(() => 'accepted', FailureType.ProofReplayed, 'invalid_dpop_proof')).toThrow(/but the call returned/);
    await expect(expectBindingError(Promise.resolve('accepted'), FailureType.ProofReplayed, 'invalid_dpop_proof')).rejects.toThrow(/but the call resolved/);
  });

  it('refuses a function that returns a promise (it could never throw): the promise is what to pass', () => {
    expect(() => expectBindingError(async () => replayed(), FailureType.ProofReplayed, 'invalid_dpop_proof')).toThrow(TypeError);
  });
});
