import { describe, expect, it } from '@jest/globals';
import { expectBindingError } from '../../test-support/expect-binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import { checkHtm } from './check-htm.js';

describe('checkHtm', () => {
  it('E12: htm equal to the request method passes', () => {
    for (const method of ['GET', 'POST', 'DELETE', 'PATCH']) {
      expect(() => checkHtm(method, method)).not.toThrow();
    }
  });

  it('E12: another method fails', () => {
    expectBindingError(() => checkHtm('POST', 'GET'), FailureType.HtmMismatch, 'invalid_dpop_proof');
  });

  it('E12: the method is compared case-sensitively (RFC 9110 §9.1)', () => {
    for (const [htm, method] of [['get', 'GET'], ['GET', 'get'], ['Get', 'GET'], ['GET ', 'GET']]) {
      expectBindingError(() => checkHtm(htm as string, method as string), FailureType.HtmMismatch, 'invalid_dpop_proof');
    }
  });
});
