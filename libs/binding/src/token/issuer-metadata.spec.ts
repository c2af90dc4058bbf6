import { afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { BindingConfigError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import { discoverIssuerMetadata } from './issuer-metadata.js';
import { discoverRemoteKeySet } from './remote-key-set.js';
import { createAccessTokenVerifier } from './verify-access-token.js';

// A real authorization server on 127.0.0.1, serving metadata and keys, counting requests per path.
const routes = new Map<string, (response: ServerResponse) => void>();
const hits = new Map<string, number>();
const server = createServer((request, response) => {
  const path = request.url ?? '/';
  hits.set(path, (hits.get(path) ?? 0) + 1);
  const route = routes.get(path);
  if (route === undefined) return void response.writeHead(404).end();
  route(response);
});
const json = (path: string, body: unknown): void => {
  routes.set(path, (response) => void response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body)));
};

let origin: string;
let signingKey: CryptoKey;
let publicJwk: JWK;
const AUDIENCE = 'http://localhost:3000';
const unavailable = { type: FailureType.KeySetUnavailable, code: 'temporarily_unavailable', status: 503 };

beforeAll(async () => {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  signingKey = privateKey;
  publicJwk = { ...(await exportJWK(publicKey)), kid: 'k1' };
});

beforeEach(async () => {
  routes.clear();
  hits.clear();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  json('/jwks', { keys: [publicJwk] });
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('issuer discovery (E18, RFC 8414)', () => {
  it('E18: start-up discovery reads RFC 8414 metadata, checks its issuer and fetches the keys once', async () => {
    json('/.well-known/oauth-authorization-server', { issuer: origin, jwks_uri: `${origin}/jwks`, token_endpoint: `${origin}/token` });
    const { metadata, keys } = await discoverRemoteKeySet(origin, { allowHttp: true });
    expect(metadata).toMatchObject({ issuer: origin, token_endpoint: `${origin}/token` });
    expect(hits.get('/jwks')).toBe(1);

    const verifier = createAccessTokenVerifier({ issuer: origin, audience: AUDIENCE, keys });
    const token = await new SignJWT({ iss: origin, sub: 'user-42', aud: AUDIENCE, exp: Math.floor(Date.now() / 1000) + 60 })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'k1' })
      .sign(signingKey);
    await expect(verifier.verify(token)).resolves.toMatchObject({ sub: 'user-42' });
    expect(hits.get('/jwks')).toBe(1);
  });

  it('E18: the well-known path goes between the host and the issuer path (RFC 8414 §3.1)', async () => {
    json('/.well-known/oauth-authorization-server/tenant', { issuer: `${origin}/tenant`, jwks_uri: `${origin}/jwks` });
    await expect(discoverIssuerMetadata(`${origin}/tenant`, { allowHttp: true })).resolves.toMatchObject({ issuer: `${origin}/tenant` });
  });

  it('E18: without RFC 8414 metadata, the OpenID configuration appended to the issuer is used', async () => {
    json('/tenant/.well-known/openid-configuration', { issuer: `${origin}/tenant/`, jwks_uri: `${origin}/jwks` });
    await expect(discoverIssuerMetadata(`${origin}/tenant/`, { allowHttp: true })).resolves.toMatchObject({ jwks_uri: `${origin}/jwks` });
    expect(hits.get('/.well-known/oauth-authorization-server/tenant')).toBe(1);
  });

  it('E18: metadata naming another issuer is refused, and not retried at the other location (RFC 8414 §3.3)', async () => {
    json('/.well-known/oauth-authorization-server', { issuer: 'https://attacker.example', jwks_uri: 'https://attacker.example/jwks' });
    json('/.well-known/openid-configuration', { issuer: origin, jwks_uri: `${origin}/jwks` });
    await expect(discoverRemoteKeySet(origin, { allowHttp: true })).rejects.toThrow(BindingConfigError);
    await expect(discoverIssuerMetadata(`${origin}/`, { allowHttp: true })).rejects.toThrow(BindingConfigError);
    expect(hits.get('/.well-known/openid-configuration')).toBeUndefined();
    expect(hits.get('/jwks')).toBeUndefined();
  });

  it('E18: discovery that never answers fails promptly with KeySetUnavailable', async () => {
    routes.set('/.well-known/oauth-authorization-server', () => undefined);
    const started = Date.now();
    await expect(discoverIssuerMetadata(origin, { allowHttp: true, discoveryTimeoutMs: 200 })).rejects.toMatchObject(unavailable);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('E18: no metadata at either location, or metadata that is not JSON, is KeySetUnavailable', async () => {
    await expect(discoverIssuerMetadata(origin, { allowHttp: true })).rejects.toMatchObject(unavailable);
    routes.set('/.well-known/oauth-authorization-server', (response) => void response.writeHead(200).end('<html>'));
    await expect(discoverIssuerMetadata(origin, { allowHttp: true })).rejects.toMatchObject(unavailable);
  });

  it('E18: an empty key set at start-up is KeySetUnavailable', async () => {
    json('/.well-known/oauth-authorization-server', { issuer: origin, jwks_uri: `${origin}/jwks` });
    json('/jwks', { keys: [] });
    await expect(discoverRemoteKeySet(origin, { allowHttp: true })).rejects.toMatchObject(unavailable);
  });

  it('E18: an issuer that is not an https URL without query or fragment, or metadata without jwks_uri, is a configuration error', async () => {
    await expect(discoverIssuerMetadata(origin)).rejects.toThrow(BindingConfigError);
    await expect(discoverIssuerMetadata('https://issuer.example?tenant=1')).rejects.toThrow(BindingConfigError);
    await expect(discoverIssuerMetadata('https://issuer.example#x')).rejects.toThrow(BindingConfigError);
    await expect(discoverIssuerMetadata(origin, { allowHttp: true, discoveryTimeoutMs: 0 })).rejects.toThrow(BindingConfigError);
    json('/.well-known/oauth-authorization-server', { issuer: origin });
    await expect(discoverIssuerMetadata(origin, { allowHttp: true })).rejects.toThrow(BindingConfigError);
    expect(hits.size).toBe(1);
  });
});
