import { describe, expect, it } from '@jest/globals';
import { expectBindingError } from '../../test-support/expect-binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import { checkSingleCredentialMechanism } from './check-credential-mechanisms.js';

describe('checkSingleCredentialMechanism', () => {
  it('E1: a token in the query string is refused as invalid_request', () => {
    for (const target of ['/v1/me?access_token=abc', '/v1/me?a=1&access_token=abc', '/v1/me?access_token']) {
      expectBindingError(() => checkSingleCredentialMechanism(target, false), FailureType.MultipleCredentialMechanisms, 'invalid_request');
    }
  });

  it('E2: a token in the form body is refused as invalid_request', () => {
    expectBindingError(() => checkSingleCredentialMechanism('/v1/orders', true), FailureType.MultipleCredentialMechanisms, 'invalid_request');
  });

  it('E1: other query parameters, even ones that contain the name, pass', () => {
    expect(() => checkSingleCredentialMechanism('/v1/me?page=2&my_access_token=1&access_tokens=2', false)).not.toThrow();
    expect(() => checkSingleCredentialMechanism('/v1/me', false)).not.toThrow();
  });
});
