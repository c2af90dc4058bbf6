import { describe, expect, it } from '@jest/globals';
import { EstateConfigError } from '#estate';
import { loadSpaConfig } from './spa-config.js';

describe('loadSpaConfig', () => {
  it('has defaults that match the auth server and edge defaults, and freezes the result', () => {
    const config = loadSpaConfig({});
    expect(config).toEqual({
      port: 5173,
      host: '127.0.0.1',
      publicUrl: 'http://localhost:5173',
      redirectUri: 'http://localhost:5173/callback',
      issuer: 'http://localhost:4000',
      edgeUrl: 'http://localhost:3000',
      resource: 'http://localhost:3000',
      clientId: 'spa',
      scope: 'orders:read orders:write',
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('derives the public URL from the port, and the resource from the edge URL', () => {
    const config = loadSpaConfig({ SPA_PORT: '8080', EDGE_PUBLIC_URL: 'https://api.example.test/' });
    expect(config.publicUrl).toBe('http://localhost:8080');
    expect(config.edgeUrl).toBe('https://api.example.test');
    expect(config.resource).toBe('https://api.example.test');
  });

  it('keeps EDGE_AUDIENCE exactly as written: the authorization server compares it as a string', () => {
    expect(loadSpaConfig({ EDGE_AUDIENCE: 'https://api.example.test/v1' }).resource).toBe('https://api.example.test/v1');
  });

  it.each([
    [{ SPA_PORT: '70000' }, 'SPA_PORT'],
    [{ SPA_PUBLIC_URL: 'http://localhost:5173/app' }, 'SPA_PUBLIC_URL'],
    [{ AUTH_ISSUER: 'ftp://auth' }, 'AUTH_ISSUER'],
    [{ EDGE_PUBLIC_URL: 'http://user:pw@edge' }, 'EDGE_PUBLIC_URL'],
    [{ EDGE_AUDIENCE: 'http://edge/?x=1' }, 'EDGE_AUDIENCE'],
    [{ SPA_SCOPE: 'orders:"read"' }, 'SPA_SCOPE'],
  ])('names the variable when %j is wrong', (env, variable) => {
    expect(() => loadSpaConfig(env)).toThrow(EstateConfigError);
    expect(() => loadSpaConfig(env)).toThrow(new RegExp(`^${variable}: `));
  });
});
