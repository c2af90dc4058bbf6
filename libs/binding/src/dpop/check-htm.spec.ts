import { describe, expect, it } from '@jest/globals';
import { FailureType } from '../errors/failure-type.js';
import { checkHtm } from './check-htm.js';
import { thrownBy } from './proof-client.fixture.js';

describe('checkHtm', () => {
  it('E12: htm equal to the request method passes', () => {
    for (const method of ['GET', 'POST', 'DELETE', 'PATCH']) {
      expect(() => checkHtm(method, method)).not.toThrow();
    }
  });

  it('E12: another method fails', () => {
    expect(thrownBy(() => checkHtm('POST', 'GET'))).toMatchObject({ type: FailureType.HtmMismatch, code: 'invalid_dpop_proof' });
  });

  it('E12: the method is compared case-sensitively (RFC 9110 §9.1)', () => {
    for (const [htm, method] of [['get', 'GET'], ['GET', 'get'], ['Get', 'GET'], ['GET ', 'GET']]) {
      expect(thrownBy(() => checkHtm(htm as string, method as string))).toMatchObject({ type: FailureType.HtmMismatch, code: 'invalid_dpop_proof' });
    }
  });
});
