import { describe, expect, it } from '@jest/globals';
import { CookieJar } from './cookie-jar.js';

const AS = new URL('http://127.0.0.1:4000/auth');

describe('CookieJar (RFC 6265 subset)', () => {
  it('§5.1.4: sends a cookie only on its path and below, longest path first', () => {
    const jar = new CookieJar();
    jar.store(AS, ['_interaction=abc; path=/interaction/abc; httponly', '_session=s1; path=/; httponly']);
    expect(jar.header(new URL('http://127.0.0.1:4000/interaction/abc/login'))).toBe('_interaction=abc; _session=s1');
    expect(jar.header(new URL('http://127.0.0.1:4000/interaction/abcdef'))).toBe('_session=s1');
    expect(jar.header(new URL('http://127.0.0.1:4000/auth/abc'))).toBe('_session=s1');
  });

  it('keeps cookies host-only and Secure cookies off plain http', () => {
    const jar = new CookieJar();
    jar.store(AS, ['a=1; path=/; domain=example.com', 'b=2; path=/; secure']);
    expect(jar.header(new URL('http://example.com/'))).toBeUndefined();
    expect(jar.header(new URL('http://127.0.0.1:4000/'))).toBe('a=1');
  });

  it('replaces a cookie with the same name and path, and forgets expired ones', () => {
    let now = 1_000_000;
    const jar = new CookieJar(() => now);
    jar.store(AS, ['a=1; path=/; max-age=60']);
    jar.store(AS, ['a=2; path=/; max-age=60']);
    expect(jar.header(AS)).toBe('a=2');
    now += 61_000;
    expect(jar.header(AS)).toBeUndefined();
    jar.store(AS, ['b=1; path=/', 'b=; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT']);
    expect(jar.header(AS)).toBeUndefined();
  });
});
