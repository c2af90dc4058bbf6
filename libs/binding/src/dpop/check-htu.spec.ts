import { describe, expect, it } from '@jest/globals';
import { FailureType } from '../errors/failure-type.js';
import { checkHtu } from './check-htu.js';
import { thrownBy } from './proof-client.fixture.js';

const EFFECTIVE = 'https://api.example.com/orders/42';

describe('checkHtu', () => {
  it('E13: an htu with a query or a fragment passes (RFC 9449 §4.3 (9))', () => {
    for (const htu of [`${EFFECTIVE}?expand=items`, `${EFFECTIVE}#top`, `${EFFECTIVE}?a=1#b`]) {
      expect(() => checkHtu(htu, EFFECTIVE)).not.toThrow();
    }
  });

  it('E13: an htu with an upper-case scheme or host, or an explicit default port, passes', () => {
    for (const htu of ['HTTPS://API.Example.com/orders/42', 'https://api.example.com:443/orders/42', 'https://api.example.com:/orders/42']) {
      expect(() => checkHtu(htu, EFFECTIVE)).not.toThrow();
    }
  });

  it('E13: an htu with dot-segments or percent-encoded unreserved characters passes', () => {
    for (const htu of ['https://api.example.com/orders/x/../42', 'https://api.example.com/%6Frders/42', 'https://api.example.com/orders/./42']) {
      expect(() => checkHtu(htu, EFFECTIVE)).not.toThrow();
    }
  });

  it('E13: the path is case-sensitive and // is not collapsed', () => {
    for (const htu of ['https://api.example.com/Orders/42', 'https://api.example.com/orders//42', 'https://api.example.com//orders/42']) {
      expect(thrownBy(() => checkHtu(htu, EFFECTIVE))).toMatchObject({ type: FailureType.HtuMismatch, code: 'invalid_dpop_proof' });
    }
  });

  it('E13: another scheme, host, port or path fails', () => {
    const others = [
      'http://api.example.com/orders/42',
      'https://evil.example.com/orders/42',
      'https://api.example.com.evil.example/orders/42',
      'https://api.example.com:8443/orders/42',
      'https://api.example.com/orders/43',
      'https://api.example.com/orders/42/',
      'https://api.example.com/orders/4%32x',
    ];
    for (const htu of others) {
      expect(thrownBy(() => checkHtu(htu, EFFECTIVE))).toMatchObject({ type: FailureType.HtuMismatch, code: 'invalid_dpop_proof' });
    }
  });

  it('E10: an htu that is not an absolute http(s) URI is a claims failure, not a mismatch', () => {
    for (const htu of ['/orders/42', 'api.example.com/orders/42', 'wss://api.example.com/orders/42', 'https://api.example.com\\orders/42']) {
      expect(thrownBy(() => checkHtu(htu, EFFECTIVE))).toMatchObject({ type: FailureType.ProofClaims, code: 'invalid_dpop_proof' });
    }
  });
});
