import { describe, expect, it } from '@jest/globals';
import { isScopeToken, parseScope } from './scope-token.js';

describe('isScopeToken: RFC 6749 §3.3 scope-token = 1*( %x21 / %x23-5B / %x5D-7E )', () => {
  it('E22, H11: printable ASCII other than space, " and \\ is a scope-token', () => {
    for (const token of ['orders:read', 'openid', '!', '#[]^~', 'https://api.example.com/orders.write', 'a'.repeat(1000)]) expect(isScopeToken(token)).toBe(true);
  });

  it('E22, H11: empty, a space, a quote, a backslash, a control or a non-ASCII character is not', () => {
    for (const token of ['', 'orders read', 'orders:"write"', 'orders\\write', 'orders\twrite', 'orders\nwrite', 'commande:écrire', '\x7f', 42, undefined]) {
      expect(isScopeToken(token)).toBe(false);
    }
  });
});

describe('parseScope: the one scope grammar (issue 13: five copies)', () => {
  it('RFC 6749 §3.3: space-delimited scope-tokens, in order, each once (order and repetition carry no meaning)', () => {
    expect(parseScope('orders:read orders:write')).toEqual(['orders:read', 'orders:write']);
    expect(parseScope('orders:write orders:read orders:write')).toEqual(['orders:write', 'orders:read']);
  });

  it('RFC 6749 §3.3: extra spaces between, before and after tokens are tolerated, as every copy did', () => {
    expect(parseScope('  orders:read   orders:write ')).toEqual(['orders:read', 'orders:write']);
    expect(parseScope('')).toEqual([]);
    expect(parseScope('   ')).toEqual([]);
  });

  it('RFC 6749 §3.3: only SP delimits: a tab or a line break makes the scope malformed (the environment schema split on any whitespace)', () => {
    expect(parseScope('orders:read\torders:write')).toBeUndefined();
    expect(parseScope('orders:read\norders:write')).toBeUndefined();
    expect(parseScope('orders:read\u00a0orders:write')).toBeUndefined();
  });

  it('RFC 6749 §3.3: one item outside the grammar makes the whole scope malformed', () => {
    expect(parseScope('orders:read orders:"write"')).toBeUndefined();
    expect(parseScope('orders:read orders\\write')).toBeUndefined();
  });
});
