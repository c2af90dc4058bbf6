/**
 * The mobile client (RFC 8252 native app) against the real authorization server and a real
 * DPoP-checking resource: a key persisted in a 0600 file and reused across runs, tokens kept in
 * a 0600 file, automatic use_dpop_nonce retry at the resource, and the CLI as a process.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { AuthServer } from '../../apps/auth/src/start-auth-server.js';
import { MobileClient } from '../../apps/mobile/src/mobile-client.js';
import { DPOP_KEY_FILE, TOKEN_FILE } from '../../apps/mobile/src/mobile-options.js';
import { ALICE } from './support/authorization-code.js';
import { RESOURCE_NONCE, startDpopResourceServer, type DpopResourceServer } from './support/dpop-resource-server.js';
import { startTestAuthServer, TEST_RESOURCE } from './support/test-auth-server.js';
import { PROCESS_HOOK_TIMEOUT_MS } from '../../test-support/hook-timeout.js';

const run = promisify(execFile);
const CLI = resolve('dist/apps/mobile/main.js');

async function modeOf(path: string): Promise<number> {
  return (await stat(path)).mode & 0o777;
}

describe('mobile client', () => {
  let auth: AuthServer;
  let resource: DpopResourceServer;
  let stateDir: string;

  beforeAll(async () => {
    auth = await startTestAuthServer();
    resource = await startDpopResourceServer();
  }, PROCESS_HOOK_TIMEOUT_MS);

  afterAll(async () => {
    await resource.close();
    await auth.close();
  }, PROCESS_HOOK_TIMEOUT_MS);

  beforeEach(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'mobile-spec-'));
  });

  afterEach(async () => {
    await rm(stateDir, { recursive: true, force: true });
  });

  const open = () => MobileClient.open({ issuer: auth.issuer, resource: TEST_RESOURCE, stateDir });

  it('creates its DPoP key in a 0600 file on first run and reuses it on the next', async () => {
    const first = await open();
    expect(first.key.created).toBe(true);
    expect(await modeOf(join(stateDir, DPOP_KEY_FILE))).toBe(0o600);
    expect(await modeOf(stateDir)).toBe(0o700);

    const second = await open();
    expect(second.key.created).toBe(false);
    expect(second.thumbprint).toBe(first.thumbprint);
  });

  it('refuses a key file that group or others can read', async () => {
    await open();
    await chmod(join(stateDir, DPOP_KEY_FILE), 0o644);
    await expect(open()).rejects.toThrow(/mode 644; run: chmod 600/);
  });

  it('keeps DPoP-bound tokens in a 0600 file; a later run loads and refreshes them', async () => {
    const first = await open();
    const tokens = await first.login({ credentials: ALICE });
    expect(tokens).toMatchObject({ token_type: 'dpop', jkt: first.thumbprint, refresh_token: expect.any(String) });
    expect(await modeOf(join(stateDir, TOKEN_FILE))).toBe(0o600);

    const second = await open();
    expect(second.tokens?.access_token).toBe(tokens.access_token);
    const refreshed = await second.refresh();
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    expect((await open()).tokens?.refresh_token).toBe(refreshed.refresh_token);
  });

  it('E15: call() sends Authorization: DPoP with a proof and retries once on use_dpop_nonce', async () => {
    const client = await open();
    const { access_token } = await client.login({ credentials: ALICE });
    resource.seen.length = 0;

    const response = await client.call(`${resource.url}/orders`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ jkt: client.thumbprint, path: '/orders' });
    expect(resource.seen.map((request) => request.nonce)).toEqual([undefined, RESOURCE_NONCE]);
    expect(resource.seen.every((request) => request.authorization === `DPoP ${access_token}`)).toBe(true);

    // The nonce is remembered for that origin: the next call needs no retry.
    resource.seen.length = 0;
    expect((await client.call(`${resource.url}/orders`)).status).toBe(200);
    expect(resource.seen).toHaveLength(1);
  });

  it('call() hands back a refusal with its challenge instead of throwing', async () => {
    const client = await open();
    await client.login({ credentials: ALICE });
    const response = await client.call(`${resource.url}/refuse`);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
  });

  describe('CLI process', () => {
    beforeAll(() => {
      if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
    });

    const cli = (args: string[], env: Record<string, string> = {}) =>
      run(process.execPath, [CLI, ...args], {
        env: { PATH: process.env['PATH'] ?? '', MOBILE_ISSUER: auth.issuer, MOBILE_RESOURCE: TEST_RESOURCE, MOBILE_STATE_DIR: stateDir, ...env },
      });

    it('logs in with a scripted login, keeps the key across runs, refreshes and calls', async () => {
      const login = JSON.parse((await cli(['login', '--username', 'alice'], { MOBILE_PASSWORD: ALICE.password })).stdout);
      expect(login).toMatchObject({ logged_in: true, token_type: 'dpop', key_created: true, scope: 'orders:read orders:write' });
      expect(login).not.toHaveProperty('access_token');
      expect(await modeOf(join(stateDir, DPOP_KEY_FILE))).toBe(0o600);

      const refreshed = JSON.parse((await cli(['refresh'])).stdout);
      expect(refreshed).toMatchObject({ jkt: login.jkt, key_created: false, has_refresh_token: true });

      const call = await cli(['call', `${resource.url}/orders`]);
      expect(JSON.parse(call.stdout)).toEqual({ jkt: login.jkt, path: '/orders' });
      expect(call.stderr).toMatch(/HTTP 200/);
    });

    it('exits 1 with the server\'s answer when a call is refused, and 64 on bad usage', async () => {
      await cli(['login', '--username', 'alice'], { MOBILE_PASSWORD: ALICE.password });
      await expect(cli(['call', `${resource.url}/refuse`])).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/HTTP 401/) });
      await expect(cli(['fly'])).rejects.toMatchObject({ code: 64, stderr: expect.stringMatching(/unknown command "fly"/) });
    });
  });
});
