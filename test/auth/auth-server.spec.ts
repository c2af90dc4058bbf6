/**
 * The authorization server against real HTTP on 127.0.0.1: discovery and JWKS, the code flow
 * with PKCE and DPoP through the real login form, the shape of the access token (RFC 9068 and
 * RFC 9449 §6), refresh-token binding (RFC 9449 §5), nonces (§8) and signing key rotation.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as oauth from 'oauth4webapi';
import type { AuthServer } from '../../apps/auth/src/start-auth-server.js';
import { MobileClient } from '../../apps/mobile/src/mobile-client.js';
import { ScriptedLoginError } from '../../apps/mobile/src/login/scripted-browser.js';
import { ALICE, authorizationCode, exchange, HTTP_OK, MOBILE, newDpop } from './support/authorization-code.js';
import { startTestAuthServer, TEST_ADMIN_TOKEN, TEST_RESOURCE } from './support/test-auth-server.js';
import { PROCESS_HOOK_TIMEOUT_MS } from '../../test-support/hook-timeout.js';

async function jwks(server: AuthServer): Promise<JSONWebKeySet> {
  return (await (await fetch(`${server.issuer}/jwks`)).json()) as JSONWebKeySet;
}

async function verifyAccessToken(server: AuthServer, token: string) {
  return jwtVerify(token, createLocalJWKSet(await jwks(server)), {
    issuer: server.issuer,
    audience: TEST_RESOURCE,
    typ: 'at+jwt',
    algorithms: ['ES256'],
  });
}

async function refresh(as: oauth.AuthorizationServer, refreshToken: string, dpop?: oauth.DPoPHandle) {
  const response = await oauth.refreshTokenGrantRequest(as, MOBILE, oauth.None(), refreshToken, { ...(dpop && { DPoP: dpop }), ...HTTP_OK });
  return oauth.processRefreshTokenResponse(as, MOBILE, response);
}

describe('auth server (nonces off)', () => {
  let server: AuthServer;
  let stateDir: string;

  beforeAll(async () => {
    server = await startTestAuthServer();
    stateDir = await mkdtemp(join(tmpdir(), 'auth-spec-'));
  }, PROCESS_HOOK_TIMEOUT_MS);

  afterAll(async () => {
    await server.close();
    await rm(stateDir, { recursive: true, force: true });
  }, PROCESS_HOOK_TIMEOUT_MS);

  it('serves discovery with PKCE S256 and DPoP algorithms, and a public-only JWKS', async () => {
    const response = await fetch(`${server.issuer}/.well-known/openid-configuration`);
    expect(response.status).toBe(200);
    const metadata = (await response.json()) as Record<string, unknown>;
    expect(metadata).toMatchObject({
      issuer: server.issuer,
      jwks_uri: `${server.issuer}/jwks`,
      code_challenge_methods_supported: ['S256'],
      dpop_signing_alg_values_supported: ['ES256', 'EdDSA', 'PS256'],
      token_endpoint_auth_methods_supported: ['none'],
      authorization_response_iss_parameter_supported: true,
    });
    const keys = (await jwks(server)).keys;
    expect(keys.map((key) => key.kid)).toEqual([server.signingKid]);
    expect(keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(keys[0]).not.toHaveProperty('d');
  });

  it('RFC 9449 §6 / RFC 9068: code + PKCE + DPoP through the login form gives an at+jwt bound to the client key', async () => {
    const client = await MobileClient.open({ issuer: server.issuer, resource: TEST_RESOURCE, stateDir });
    const tokens = await client.login({ credentials: ALICE });
    expect(tokens).toMatchObject({ token_type: 'dpop', scope: 'orders:read orders:write' });

    const { protectedHeader, payload } = await verifyAccessToken(server, tokens.access_token);
    expect(protectedHeader).toMatchObject({ typ: 'at+jwt', alg: 'ES256', kid: server.signingKid });
    expect(payload).toMatchObject({
      iss: server.issuer,
      sub: 'alice',
      aud: TEST_RESOURCE,
      client_id: 'mobile',
      scope: 'orders:read orders:write',
      cnf: { jkt: client.thumbprint },
    });
    expect(typeof payload.jti).toBe('string');
    expect(payload.exp! - payload.iat!).toBe(300);
  });

  it('refuses a wrong password on the login form', async () => {
    const client = await MobileClient.open({ issuer: server.issuer, resource: TEST_RESOURCE, stateDir });
    await expect(client.login({ credentials: { username: 'alice', password: 'nope' } })).rejects.toThrow(ScriptedLoginError);
  });

  it('RFC 7636: refuses an authorization request without PKCE', async () => {
    const url = new URL(`${server.issuer}/auth`);
    url.search = new URLSearchParams({
      client_id: 'mobile',
      response_type: 'code',
      redirect_uri: 'http://127.0.0.1:5555/callback',
      scope: 'orders:read',
    }).toString();
    const response = await fetch(url, { redirect: 'manual' });
    const location = new URL(response.headers.get('location')!);
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.get('error_description')).toMatch(/PKCE/);
  });

  it('RFC 8707: refuses a resource it does not know (invalid_target)', async () => {
    const dpop = await newDpop();
    await expect(authorizationCode(server.issuer, dpop, 'https://elsewhere.example')).rejects.toMatchObject({ error: 'invalid_target' });
  });

  it('RFC 9449 §5: a public client\'s refresh token is bound to its DPoP key', async () => {
    const dpop = await newDpop();
    const code = await authorizationCode(server.issuer, dpop, TEST_RESOURCE);
    const first = await exchange(code, dpop);
    const refreshToken = first.refresh_token!;
    expect(refreshToken).toEqual(expect.any(String));

    // Another key, or no proof at all, cannot use it (the server keeps the reason to itself)...
    await expect(refresh(code.as, refreshToken, await newDpop())).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(refresh(code.as, refreshToken)).rejects.toMatchObject({ error: 'invalid_grant' });

    // ...while the holder of the key can, and gets a token bound to the same key.
    const second = await refresh(code.as, refreshToken, dpop);
    expect(decodeJwt(second.access_token).cnf).toEqual({ jkt: await dpop.calculateThumbprint() });

    // Rotation: the used refresh token is spent; replaying it revokes the whole grant.
    expect(second.refresh_token).not.toBe(refreshToken);
    await expect(refresh(code.as, refreshToken, dpop)).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(refresh(code.as, second.refresh_token!, dpop)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('RFC 9449 §5.2: the token endpoint refuses a code exchange without a DPoP proof', async () => {
    const dpop = await newDpop();
    const code = await authorizationCode(server.issuer, dpop, TEST_RESOURCE);
    const response = await oauth.authorizationCodeGrantRequest(code.as, MOBILE, oauth.None(), code.params, code.redirectUri, code.codeVerifier, HTTP_OK);
    await expect(oauth.processAuthorizationCodeResponse(code.as, MOBILE, response)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('RFC 9449 §10: a code bound with dpop_jkt cannot be redeemed with another key', async () => {
    const dpop = await newDpop();
    const code = await authorizationCode(server.issuer, dpop, TEST_RESOURCE);
    await expect(exchange(code, await newDpop())).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  describe('signing key rotation', () => {
    it('the admin route needs the admin token', async () => {
      const response = await fetch(`${server.issuer}/admin/signing-keys/rotate`, { method: 'POST', headers: { authorization: 'Bearer wrong-token-0123456789' } });
      expect(response.status).toBe(401);
      expect((await jwks(server)).keys).toHaveLength(1);
    });

    it('after rotation new tokens carry the new kid, and JWKS serves both keys until old tokens expire', async () => {
      const oldKid = server.signingKid;
      const dpop = await newDpop();
      const before = await exchange(await authorizationCode(server.issuer, dpop, TEST_RESOURCE), dpop);

      const response = await fetch(`${server.issuer}/admin/signing-keys/rotate`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
      });
      expect(response.status).toBe(200);
      const rotation = (await response.json()) as { kid: string; published: string[] };
      expect(rotation.kid).not.toBe(oldKid);
      expect(rotation.published).toEqual([rotation.kid, oldKid]);
      expect((await jwks(server)).keys.map((key) => key.kid)).toEqual([rotation.kid, oldKid]);

      const after = await exchange(await authorizationCode(server.issuer, dpop, TEST_RESOURCE), dpop);
      expect(decodeProtectedHeader(after.access_token).kid).toBe(rotation.kid);
      // Both tokens verify against the published set: the old key is retired, not removed.
      await expect(verifyAccessToken(server, after.access_token)).resolves.toBeDefined();
      await expect(verifyAccessToken(server, before.access_token)).resolves.toMatchObject({ protectedHeader: { kid: oldKid } });
    });
  });
});

describe('auth server (AUTH_DPOP_NONCE=required)', () => {
  let server: AuthServer;

  beforeAll(async () => {
    server = await startTestAuthServer({
      AUTH_DPOP_NONCE: 'required',
      AUTH_DPOP_NONCE_SECRET: Buffer.alloc(32, 7).toString('base64url'),
    });
  }, PROCESS_HOOK_TIMEOUT_MS);

  afterAll(async () => {
    await server.close();
  }, PROCESS_HOOK_TIMEOUT_MS);

  it('RFC 9449 §8: a proof without a nonce gets use_dpop_nonce and a DPoP-Nonce, then succeeds with it', async () => {
    const dpop = await newDpop();
    const code = await authorizationCode(server.issuer, dpop, TEST_RESOURCE);
    const send = () =>
      oauth.authorizationCodeGrantRequest(code.as, MOBILE, oauth.None(), code.params, code.redirectUri, code.codeVerifier, { DPoP: dpop, ...HTTP_OK });

    const first = await send();
    expect(first.status).toBe(400);
    expect(first.headers.get('dpop-nonce')).toEqual(expect.any(String));
    const error = await oauth.processAuthorizationCodeResponse(code.as, MOBILE, first).catch((caught: unknown) => caught);
    expect(oauth.isDPoPNonceError(error)).toBe(true);

    // oauth4webapi's handle kept the nonce; the retry carries it and the code is still unused.
    const tokens = await oauth.processAuthorizationCodeResponse(code.as, MOBILE, await send());
    expect(decodeJwt(tokens.access_token).cnf).toEqual({ jkt: await dpop.calculateThumbprint() });
  });

  it('the mobile client retries on use_dpop_nonce by itself', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'auth-nonce-'));
    try {
      const client = await MobileClient.open({ issuer: server.issuer, resource: TEST_RESOURCE, stateDir });
      await client.login({ credentials: ALICE });
      const refreshed = await client.refresh();
      expect(decodeJwt(refreshed.access_token).cnf).toEqual({ jkt: client.thumbprint });
    } finally {
      await rm(stateDir, { recursive: true, force: true });
    }
  });
});
