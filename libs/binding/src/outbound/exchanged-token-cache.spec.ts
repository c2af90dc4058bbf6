import { describe, expect, it } from '@jest/globals';
import { ExchangedTokenCache } from './exchanged-token-cache.js';
import { parseTokenExchangeResponse } from './token-exchange-message.js';

describe('ExchangedTokenCache (callers cache exchanged tokens until shortly before expiry)', () => {
  it('serves a token until refreshBefore seconds before its expiry, then drops it', () => {
    let now = 1_000;
    const cache = new ExchangedTokenCache({ refreshBeforeExpirySeconds: 10, clock: () => now });
    const key = ExchangedTokenCache.keyOf('subject-token', 'spiffe://estate.local/orders', 'orders:write', 'thumb-1');
    cache.set(key, { accessToken: 't', expiresAt: 1_060, scope: 'orders:write' });
    now = 1_049;
    expect(cache.get(key)?.accessToken).toBe('t');
    now = 1_050;
    expect(cache.get(key)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('keys hold no token material, and differ by subject token, audience, scope and caller certificate (L2)', () => {
    const key = ExchangedTokenCache.keyOf('eyJhbGciOi.secret.sig', 'spiffe://estate.local/orders', 'orders:write', 'thumb-1');
    expect(key).not.toContain('secret');
    expect(new Set([
      key,
      ExchangedTokenCache.keyOf('other', 'spiffe://estate.local/orders', 'orders:write', 'thumb-1'),
      ExchangedTokenCache.keyOf('eyJhbGciOi.secret.sig', 'spiffe://estate.local/inventory', 'orders:write', 'thumb-1'),
      ExchangedTokenCache.keyOf('eyJhbGciOi.secret.sig', 'spiffe://estate.local/orders', 'orders:read', 'thumb-1'),
      ExchangedTokenCache.keyOf('eyJhbGciOi.secret.sig', 'spiffe://estate.local/orders', 'orders:write', 'thumb-2'),
    ]).size).toBe(5);
  });

  it('is bounded: the least recently used entry goes first; a token already within its margin is not stored', () => {
    const cache = new ExchangedTokenCache({ maxEntries: 2, refreshBeforeExpirySeconds: 10, clock: () => 0 });
    cache.set('a', { accessToken: 'a', expiresAt: 60, scope: '' });
    cache.set('b', { accessToken: 'b', expiresAt: 60, scope: '' });
    cache.get('a');
    cache.set('c', { accessToken: 'c', expiresAt: 60, scope: '' });
    expect([cache.get('a')?.accessToken, cache.get('b'), cache.get('c')?.accessToken]).toEqual(['a', undefined, 'c']);
    cache.set('d', { accessToken: 'd', expiresAt: 5, scope: '' });
    expect(cache.get('d')).toBeUndefined();
  });
});

describe('parseTokenExchangeResponse (RFC 8693 §2.2.1)', () => {
  const valid = { access_token: 'a.b.c', issued_token_type: 'urn:ietf:params:oauth:token-type:jwt', token_type: 'N_A', expires_in: 60, scope: 'orders:read' };

  it('accepts the STS answer', () => {
    expect(parseTokenExchangeResponse(valid)).toEqual(valid);
  });

  it.each([
    ['no access_token', { ...valid, access_token: undefined }],
    ['another issued_token_type', { ...valid, issued_token_type: 'urn:ietf:params:oauth:token-type:access_token' }],
    ['expires_in 0', { ...valid, expires_in: 0 }],
    ['expires_in a day', { ...valid, expires_in: 86_400 }],
    ['expires_in fractional', { ...valid, expires_in: 1.5 }],
    ['no scope', { ...valid, scope: undefined }],
    ['an error reply', { code: 'invalid_grant' }],
  ])('refuses %s', (_name, value) => {
    expect(parseTokenExchangeResponse(value)).toBeUndefined();
  });
});
