import { describe, expect, it } from '@jest/globals';
import { EstateConfigError } from '#estate';
import { loadAuthConfig } from './auth-config.js';

const SECRET_32 = Buffer.alloc(32, 1).toString('base64url');

function failure(env: Record<string, string>): EstateConfigError {
  try {
    loadAuthConfig(env, '/work');
  } catch (error) {
    if (error instanceof EstateConfigError) return error;
    throw error;
  }
  throw new Error('expected an EstateConfigError');
}

describe('loadAuthConfig', () => {
  it('has working defaults and freezes the result', () => {
    const config = loadAuthConfig({}, '/work');
    expect(config).toMatchObject({
      port: 4000,
      host: '127.0.0.1',
      issuer: 'http://localhost:4000',
      resource: 'http://localhost:3000',
      resourceScopes: ['orders:read', 'orders:write'],
      spaRedirectUris: ['http://localhost:3000/spa/callback'],
      mobileRedirectUris: ['http://127.0.0.1/callback'],
      accessTokenTtlSeconds: 300,
      nonceMode: 'off',
      nonceSecret: undefined,
      keysFile: undefined,
      adminToken: undefined,
    });
    expect(config.devUsers.map((user) => user.username)).toEqual(['alice', 'bob']);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.resourceScopes)).toBe(true);
  });

  it('derives the default issuer from AUTH_PORT and resolves AUTH_KEYS_FILE against the working folder', () => {
    const config = loadAuthConfig({ AUTH_PORT: '4100', AUTH_KEYS_FILE: '.estate/auth-keys.json' }, '/work');
    expect(config.issuer).toBe('http://localhost:4100');
    expect(config.keysFile).toBe('/work/.estate/auth-keys.json');
  });

  it('accepts required nonces with a 32-byte base64url secret', () => {
    const config = loadAuthConfig({ AUTH_DPOP_NONCE: 'required', AUTH_DPOP_NONCE_SECRET: SECRET_32 }, '/work');
    expect(config.nonceMode).toBe('required');
    expect(config.nonceSecret).toEqual(Buffer.alloc(32, 1));
  });

  it.each([
    [{ AUTH_PORT: '70000' }, 'AUTH_PORT'],
    [{ AUTH_ISSUER: 'http://localhost:4000/auth' }, 'AUTH_ISSUER'],
    [{ AUTH_ISSUER: 'ftp://localhost' }, 'AUTH_ISSUER'],
    [{ EDGE_AUDIENCE: 'not a url' }, 'EDGE_AUDIENCE'],
    [{ EDGE_AUDIENCE: 'http://localhost:3000/#x' }, 'EDGE_AUDIENCE'],
    [{ AUTH_DPOP_NONCE: 'sometimes' }, 'AUTH_DPOP_NONCE'],
    [{ AUTH_DPOP_NONCE: 'required' }, 'AUTH_DPOP_NONCE_SECRET'],
    [{ AUTH_DPOP_NONCE_SECRET: 'c2hvcnQ' }, 'AUTH_DPOP_NONCE_SECRET'],
    [{ AUTH_MOBILE_REDIRECT_URIS: 'http://localhost/callback' }, 'AUTH_MOBILE_REDIRECT_URIS'],
    [{ AUTH_MOBILE_REDIRECT_URIS: 'https://app.example/callback' }, 'AUTH_MOBILE_REDIRECT_URIS'],
    [{ AUTH_SPA_REDIRECT_URIS: '/spa/callback' }, 'AUTH_SPA_REDIRECT_URIS'],
    [{ AUTH_ACCESS_TOKEN_TTL_S: '5' }, 'AUTH_ACCESS_TOKEN_TTL_S'],
    [{ AUTH_RESOURCE_SCOPES: 'orders:"read"' }, 'AUTH_RESOURCE_SCOPES'],
    [{ AUTH_DEV_USERS: 'alice' }, 'AUTH_DEV_USERS'],
    [{ AUTH_DEV_USERS: 'alice:a,alice:b' }, 'AUTH_DEV_USERS'],
    [{ AUTH_ADMIN_TOKEN: 'short' }, 'AUTH_ADMIN_TOKEN'],
  ])('rejects %j naming %s', (env, variable) => {
    expect(failure(env).message).toMatch(new RegExp(`^${variable}: `));
  });

  it('words the shared readers\' refusals as every app does (libs/estate env-variables)', () => {
    expect(failure({ AUTH_DPOP_NONCE: 'sometimes' }).message).toBe('AUTH_DPOP_NONCE: must be one of off, required');
    expect(failure({ AUTH_ISSUER: 'http://localhost:4000/auth' }).message).toBe(
      'AUTH_ISSUER: must be an origin (scheme, host, port; no path); the provider is mounted at /',
    );
  });

  it('never echoes a secret in its messages', () => {
    expect(failure({ AUTH_DPOP_NONCE_SECRET: 'c2VjcmV0LXZhbHVl' }).message).not.toContain('c2VjcmV0LXZhbHVl');
    expect(failure({ AUTH_ADMIN_TOKEN: 'tiny' }).message).not.toContain('tiny');
  });
});
