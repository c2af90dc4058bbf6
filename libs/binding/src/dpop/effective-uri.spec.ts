import { describe, expect, it } from '@jest/globals';
import { expectBindingError } from '../../test-support/expect-binding-error.js';
import { BindingConfigError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import { createEffectiveUriResolver, type RequestUriInput } from './effective-uri.js';

const resolve = createEffectiveUriResolver({ origins: ['https://api.example.com', 'http://localhost:3000/'] });
const behindProxy = createEffectiveUriResolver({
  origins: ['https://api.example.com', 'https://admin.example.com'],
  pathPrefix: '/api',
  trustedProxies: ['10.0.0.0/8', '192.0.2.7', 'fd00::/8'],
});
const request = (target: string, more: Partial<RequestUriInput> = {}): RequestUriInput => ({ target, host: ['api.example.com'], ...more });

describe('createEffectiveUriResolver', () => {
  it('E14: builds the URI from the configured origin that the Host names, query dropped', () => {
    expect(resolve(request('/orders/42?expand=items'))).toBe('https://api.example.com/orders/42');
    expect(resolve(request('/', { host: ['localhost:3000'] }))).toBe('http://localhost:3000/');
  });

  it('E14: Host is matched after normalization: upper case, explicit default port', () => {
    for (const host of ['API.Example.COM', 'api.example.com:443', 'api.example.com:']) {
      expect(resolve(request('/orders', { host: [host] }))).toBe('https://api.example.com/orders');
    }
  });

  it('E14: a missing, repeated, unknown or malformed Host is refused before any URL is built', () => {
    const hosts = [undefined, [], ['api.example.com', 'api.example.com'], ['evil.example'], ['api.example.com:8443'], ['localhost:3001'],
      ['user@api.example.com'], ['api.example.com/x'], ['api.example.com\\x'], ['api.example.com evil'], ['']];
    for (const host of hosts) {
      expect(expectBindingError(() => resolve(request('/orders', { host })), FailureType.InvalidRequestTarget, 'invalid_request').status).toBe(400);
    }
  });

  it('E13, E14: the target path is normalized as htu is; // and case are kept', () => {
    expect(resolve(request('/a/./b/../c/%7e'))).toBe('https://api.example.com/a/c/~');
    expect(resolve(request('/a//B'))).toBe('https://api.example.com/a//B');
  });

  it('E14: origin-form only: absolute-form, asterisk-form, //host and /scheme:// targets are refused', () => {
    const targets = ['https://evil.example/orders', 'api.example.com/orders', '*', '', '//evil.example/orders', '/https://evil.example/x',
      '/HTTP://evil.example', '/./..//evil.example/x'];
    for (const target of targets) {
      expect(expectBindingError(() => resolve(request(target)), FailureType.InvalidRequestTarget, 'invalid_request').status).toBe(400);
    }
  });

  it('E14: backslashes, control characters, spaces, non-ASCII and bad percent-encoding are refused', () => {
    const targets = ['/a\\b', '/\\\\evil.example/x', '/a\tb', '/a\r\nX-Injected: 1', '/a b', '/é', '/a%zz', '/a%4', '/a?x=\\', '/a?x y', '/a#frag', '/a\u0000'];
    for (const target of targets) {
      expect(expectBindingError(() => resolve(request(target)), FailureType.InvalidRequestTarget, 'invalid_request').status).toBe(400);
    }
    expect(resolve(request('/a:b@c!$&\'()*+,;=?q=[1]&r=/x?y'))).toBe("https://api.example.com/a:b@c!$&'()*+,;=");
  });

  it('E14: the configured path prefix comes before the target path', () => {
    expect(behindProxy(request('/orders?x=1'))).toBe('https://api.example.com/api/orders');
  });

  it('E14: a trusted proxy\'s X-Forwarded-Proto and X-Forwarded-Host are honoured', () => {
    const forwarded = request('/orders', { host: ['edge.internal:3000'], remoteAddress: '10.1.2.3', xForwardedProto: ['https'], xForwardedHost: ['admin.example.com'] });
    expect(behindProxy(forwarded)).toBe('https://admin.example.com/api/orders');
    expect(behindProxy({ ...forwarded, remoteAddress: '::ffff:10.1.2.3' })).toBe('https://admin.example.com/api/orders');
    expect(behindProxy({ ...forwarded, remoteAddress: 'fd12::1' })).toBe('https://admin.example.com/api/orders');
  });

  it('E14: forwarding headers from a peer that is not a trusted proxy are ignored', () => {
    const spoofed = request('/orders', { remoteAddress: '203.0.113.9', xForwardedHost: ['admin.example.com'], forwarded: ['host=admin.example.com'] });
    expect(behindProxy(spoofed)).toBe('https://api.example.com/api/orders');
    expect(resolve({ ...spoofed, remoteAddress: '10.1.2.3' })).toBe('https://api.example.com/orders');
  });

  it('E14: a forwarded host or scheme that is not a configured origin is refused', () => {
    const cases: Array<Partial<RequestUriInput>> = [
      { xForwardedHost: ['evil.example'] },
      { xForwardedProto: ['http'] },
      { xForwardedProto: ['gopher'] },
      { forwarded: ['proto=https;host=evil.example'] },
    ];
    for (const headers of cases) {
      expect(expectBindingError(() => behindProxy(request('/orders', { remoteAddress: '192.0.2.7', ...headers })), FailureType.InvalidRequestTarget, 'invalid_request').status).toBe(400);
    }
  });

  it('E14: RFC 7239 Forwarded wins over X-Forwarded-*; the last element, added by the trusted proxy, counts', () => {
    const headers = {
      remoteAddress: '10.0.0.1',
      host: ['edge.internal'],
      forwarded: ['host=evil.example;proto=http', 'for=192.0.2.60;proto=https;host="admin.example.com"'],
      xForwardedHost: ['api.example.com'],
    };
    expect(behindProxy(request('/x', headers))).toBe('https://admin.example.com/api/x');
    expect(behindProxy(request('/x', { remoteAddress: '10.0.0.1', xForwardedHost: ['evil.example, api.example.com'] }))).toBe('https://api.example.com/api/x');
  });

  it('E14: a malformed Forwarded element is refused', () => {
    for (const forwarded of ['host', 'host=a b', 'host="a\\"b"', 'host=api.example.com;host=admin.example.com', '=x']) {
      expect(expectBindingError(() => behindProxy(request('/x', { remoteAddress: '10.0.0.1', forwarded: [forwarded] })), FailureType.InvalidRequestTarget, 'invalid_request').status).toBe(400);
    }
  });

  it('E14: the configuration is validated at construction', () => {
    const bad = [
      { origins: [] },
      { origins: ['api.example.com'] },
      { origins: ['ftp://api.example.com'] },
      { origins: ['https://api.example.com/v1'] },
      { origins: ['https://api.example.com?x'] },
      { origins: ['https://user@api.example.com'] },
      { origins: ['https://api.example.com', 'https://API.example.com:443'] },
      { origins: ['https://api.example.com', 'http://api.example.com'] },
      { origins: ['https://api.example.com'], pathPrefix: 'api' },
      { origins: ['https://api.example.com'], pathPrefix: '/api/' },
      { origins: ['https://api.example.com'], pathPrefix: '/a/../b' },
      { origins: ['https://api.example.com'], trustedProxies: ['proxy.internal'] },
      { origins: ['https://api.example.com'], trustedProxies: ['10.0.0.0/33'] },
      { origins: ['https://api.example.com'], trustedProxies: ['10.0.0.0/8/1'] },
      { origins: ['https://api.example.com'], trustedProxies: '10.0.0.1' },
    ];
    for (const options of bad) {
      expect(() => createEffectiveUriResolver(options as never)).toThrow(BindingConfigError);
    }
  });
});
