import { describe, expect, it } from '@jest/globals';
import { normalizeAuthority, normalizeHttpUri, normalizePath } from './normalize-htu.js';

describe('normalizeHttpUri', () => {
  it('E13: RFC 3986 §6.2.3: example.com with no path, an empty port or the default port are one URI', () => {
    for (const uri of ['http://example.com', 'http://example.com/', 'http://example.com:/', 'http://example.com:80/']) {
      expect(normalizeHttpUri(uri)).toBe('http://example.com/');
    }
  });

  it('E13: RFC 3986 §6.2.2.1: scheme and host are lowercased, the path is not', () => {
    expect(normalizeHttpUri('HTTP://www.Example.com/')).toBe('http://www.example.com/');
    expect(normalizeHttpUri('https://API.EXAMPLE.COM/Orders/ABC')).toBe('https://api.example.com/Orders/ABC');
  });

  it('E13: RFC 3986 §6.2.2.2: percent-encoding hex is uppercased and unreserved characters decoded', () => {
    expect(normalizeHttpUri('https://a.example/%7efoo%2dbar/%3a/%2f')).toBe('https://a.example/~foo-bar/%3A/%2F');
    expect(normalizeHttpUri('https://a.example/%7Efoo')).toBe(normalizeHttpUri('https://a.example/~foo'));
  });

  it('E13: RFC 3986 §5.2.4: dot-segments are removed ("/a/b/c/./../../g" is "/a/g"), encoded ones too', () => {
    expect(normalizeHttpUri('http://a/a/b/c/./../../g')).toBe('http://a/a/g');
    expect(normalizeHttpUri('https://a.example/x/%2E%2e/y')).toBe('https://a.example/y');
    expect(normalizeHttpUri('https://a.example/../../x')).toBe('https://a.example/x');
    expect(normalizeHttpUri('https://a.example/x/.')).toBe('https://a.example/x/');
    expect(normalizeHttpUri('https://a.example/x/y/..')).toBe('https://a.example/x/');
  });

  it('E13: query and fragment are dropped; // in the path is kept', () => {
    expect(normalizeHttpUri('https://a.example/orders?id=1&x=%zz#top')).toBe('https://a.example/orders');
    expect(normalizeHttpUri('https://a.example/a//b')).toBe('https://a.example/a//b');
    expect(normalizeHttpUri('https://a.example?x')).toBe('https://a.example/');
  });

  it('E13: a query or fragment as a browser\'s URL.href leaves it (`|`, `{`, `}`, `^`, `` ` ``, `\\` unescaped) is dropped, not refused', () => {
    for (const uri of ['https://api.example.com/v1/me?a=b|c', 'https://api.example.com/v1/me?a={1}', 'https://api.example.com/v1/me#a^b', 'https://api.example.com/v1/me?a\\b`c#d#e']) {
      expect(normalizeHttpUri(uri)).toBe('https://api.example.com/v1/me');
    }
    expect(normalizeHttpUri('HTTPS://API.example.com:443/v1/./me?a=b|c')).toBe('https://api.example.com/v1/me');
  });

  it('E13: the dropped query or fragment still holds no space, control or non-ASCII character (no URI does; href encodes them)', () => {
    for (const uri of ['https://a.example/x?a b', 'https://a.example/x?a\tb', 'https://a.example/x#a\nb', 'https://a.example/x?é']) {
      expect(normalizeHttpUri(uri)).toBeUndefined();
    }
  });

  it('E13: a `|`, `{`, `^` or space before the first `?` or `#` is still refused, in the path or the authority', () => {
    for (const uri of ['https://a.example/a|b?c', 'https://a.example/{x}', 'https://a.example/a^b#c', 'https://a.example/a b?c', 'https://a|b.example/x?y', 'https://a.example/%zz?a=b|c']) {
      expect(normalizeHttpUri(uri)).toBeUndefined();
    }
  });

  it('E13: ports: other than default kept without leading zeros', () => {
    expect(normalizeHttpUri('https://a.example:8443/x')).toBe('https://a.example:8443/x');
    expect(normalizeHttpUri('https://a.example:00443/x')).toBe('https://a.example/x');
    expect(normalizeHttpUri('http://a.example:443/x')).toBe('http://a.example:443/x');
    expect(normalizeHttpUri('https://[::1]:3000/x')).toBe('https://[::1]:3000/x');
  });

  it('E13: what WHATWG URL would repair is refused: backslash, tab, space, non-ASCII', () => {
    for (const uri of ['https://a.example\\evil/x', 'https://a.example/a\\b', 'https://a.exa\tmple/x', 'https://a.example/a b', 'https://a.example/é']) {
      expect(normalizeHttpUri(uri)).toBeUndefined();
    }
  });

  it('E10: non-http(s), relative, userinfo, empty host, bad port or bad percent-encoding are not http URIs', () => {
    const invalid = [
      'ftp://a.example/x', 'urn:x:y', '/orders', '//a.example/x', 'https:/a.example/x', 'https://user@a.example/x',
      'https:///x', 'https://:443/x', 'https://a.example:99999/x', 'https://a.example:x/', 'https://a.example/%zz',
      'https://a.example/%4', 'https://[::1/x', 'https://a.example/<x>', '',
    ];
    for (const uri of invalid) expect(normalizeHttpUri(uri)).toBeUndefined();
  });
});

describe('normalizeAuthority and normalizePath', () => {
  it('E14: an authority is normalized per scheme', () => {
    expect(normalizeAuthority('API.example.com:443', 'https')).toBe('api.example.com');
    expect(normalizeAuthority('api.example.com:443', 'http')).toBe('api.example.com:443');
    expect(normalizeAuthority('localhost:3000', 'http')).toBe('localhost:3000');
    for (const bad of ['', 'a@b', 'a b', 'a/b', 'a:1:2', '[::1]x']) expect(normalizeAuthority(bad, 'https')).toBeUndefined();
  });

  it('E13: an empty path is "/"; a path must start with "/"', () => {
    expect(normalizePath('')).toBe('/');
    expect(normalizePath('/a/%7e/./b')).toBe('/a/~/b');
    expect(normalizePath('a/b')).toBeUndefined();
  });
});
