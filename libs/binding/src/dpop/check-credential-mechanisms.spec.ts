import { describe, expect, it } from '@jest/globals';
import { BindingError } from '../errors/binding-error.js';
import { checkSingleCredentialMechanism } from './check-credential-mechanisms.js';

function refusal(run: () => void): BindingError {
  try {
    run();
  } catch (error) {
    if (error instanceof BindingError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('checkSingleCredentialMechanism', () => {
  it('E1: a token in the query string is refused as invalid_request', () => {
    for (const target of ['/v1/me?access_token=abc', '/v1/me?a=1&access_token=abc', '/v1/me?access_token']) {
      expect(refusal(() => checkSingleCredentialMechanism(target, false))).toMatchObject({
        code: 'invalid_request',
        type: 'multiple_credential_mechanisms',
      });
    }
  });

  it('E2: a token in the form body is refused as invalid_request', () => {
    expect(refusal(() => checkSingleCredentialMechanism('/v1/orders', true))).toMatchObject({
      code: 'invalid_request',
      type: 'multiple_credential_mechanisms',
    });
  });

  it('E1: other query parameters, even ones that contain the name, pass', () => {
    expect(() => checkSingleCredentialMechanism('/v1/me?page=2&my_access_token=1&access_tokens=2', false)).not.toThrow();
    expect(() => checkSingleCredentialMechanism('/v1/me', false)).not.toThrow();
  });
});
