import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { expectBindingError } from '../../test-support/expect-binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import { checkHtu } from './check-htu.js';
import { createEffectiveUriResolver } from './effective-uri.js';
import { normalizeHttpUri } from './normalize-htu.js';

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
      expectBindingError(() => checkHtu(htu, EFFECTIVE), FailureType.HtuMismatch, 'invalid_dpop_proof');
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
      expectBindingError(() => checkHtu(htu, EFFECTIVE), FailureType.HtuMismatch, 'invalid_dpop_proof');
    }
  });

  it('E10: an htu that is not an absolute http(s) URI is a claims failure, not a mismatch', () => {
    for (const htu of ['/orders/42', 'api.example.com/orders/42', 'wss://api.example.com/orders/42', 'https://api.example.com\\orders/42']) {
      expectBindingError(() => checkHtu(htu, EFFECTIVE), FailureType.ProofClaims, 'invalid_dpop_proof');
    }
  });
});

describe('checkHtu fast path (an htu equal to the effective URI)', () => {
  // The fast path returns at once when htu === effectiveUri; it is sound only if every effective
  // URI is a fixed point of normalizeHttpUri, so that the full check would have passed too.
  const resolve = createEffectiveUriResolver({ origins: ['https://api.example.com', 'http://127.0.0.1:3000'], pathPrefix: '/api' });
  const segment = fc.stringMatching(/^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2}|\.\.?)*$/, { maxLength: 12 });
  const target = fc.array(segment, { maxLength: 6 }).map((segments) => `/${segments.join('/')}`);

  it('E13: every effective URI the resolver builds normalizes to itself, so the fast path agrees with the full check', () => {
    fc.assert(
      fc.property(target, fc.constantFrom('api.example.com', 'API.example.com:443', '127.0.0.1:3000'), (path, host) => {
        let effective: string;
        try {
          effective = resolve({ target: path, host: [host] });
        } catch {
          return; // refused targets never reach checkHtu
        }
        expect(normalizeHttpUri(effective)).toBe(effective);
        expect(() => checkHtu(effective, effective)).not.toThrow();
      }),
      { seed: 20_240_601, numRuns: 2_000 },
    );
  });

  it('E13: an htu that differs from the effective URI in any way still goes through normalization', () => {
    expect(() => checkHtu('HTTPS://API.example.com:443/api/a/./b', 'https://api.example.com/api/a/b')).not.toThrow();
    expectBindingError(() => checkHtu('https://api.example.com/api/a/b/', 'https://api.example.com/api/a/b'), FailureType.HtuMismatch, 'invalid_dpop_proof');
  });
});
