import { describe, expect, it } from '@jest/globals';
import { allowsInsecure, mobileOptions, MobileOptionsError } from './mobile-options.js';

describe('mobileOptions', () => {
  it('fills defaults, resolves the state folder and freezes', () => {
    const options = mobileOptions({}, '/work');
    expect(options).toMatchObject({
      issuer: 'http://localhost:4000',
      clientId: 'mobile',
      resource: 'http://localhost:3000',
      scope: 'orders:read orders:write',
      stateDir: '/work/.estate/mobile',
      redirectPath: '/callback',
      allowHttp: false,
    });
    expect(Object.isFrozen(options)).toBe(true);
  });

  it('rejects bad URLs and paths, naming the setting', () => {
    expect(() => mobileOptions({ issuer: 'localhost:4000' })).toThrow(new MobileOptionsError('issuer', 'must be an http(s) URL'));
    expect(() => mobileOptions({ resource: 'nope' })).toThrow(/^resource: /);
    expect(() => mobileOptions({ redirectPath: 'callback' })).toThrow(/^redirectPath: /);
  });

  it('allows plain http only to loopback unless allowHttp is set', () => {
    const strict = mobileOptions({});
    expect(allowsInsecure(strict, new URL('http://127.0.0.1:4000/token'))).toBe(true);
    expect(allowsInsecure(strict, new URL('http://localhost:3000/orders'))).toBe(true);
    expect(allowsInsecure(strict, new URL('http://[::1]:3000/orders'))).toBe(true);
    expect(allowsInsecure(strict, new URL('http://127.evil.example/orders'))).toBe(false);
    expect(allowsInsecure(strict, new URL('http://edge:3000/orders'))).toBe(false);
    expect(allowsInsecure(mobileOptions({ allowHttp: true }), new URL('http://edge:3000/orders'))).toBe(true);
    expect(allowsInsecure(strict, new URL('https://edge.example/orders'))).toBe(false);
  });
});
