/**
 * The built entry point as a process: configuration errors stop it with a message naming the
 * variable; with AUTH_KEYS_FILE its signing key survives a restart in a 0600 file.
 */
import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../test-support/free-port.js';
import { PROCESS_HOOK_TIMEOUT_MS } from '../../test-support/hook-timeout.js';

const MAIN = resolve('dist/apps/auth/main.js');
const run = promisify(execFile);
const STARTUP_TIMEOUT_MS = 20_000;

interface Running {
  readonly child: ChildProcess;
  readonly issuer: string;
}

async function start(env: Record<string, string>): Promise<Running> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env['PATH'] ?? '', AUTH_PORT: String(port), AUTH_ISSUER: issuer, ...env },
    stdio: 'ignore',
  });
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const ok = await fetch(`${issuer}/.well-known/openid-configuration`).then((r) => r.ok, () => false);
    if (ok) return { child, issuer };
    if (child.exitCode !== null) throw new Error(`auth exited with ${child.exitCode}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error('auth did not start in time');
}

async function stop({ child }: Running): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  child.kill('SIGTERM');
  return exited;
}

describe('auth process (dist/apps/auth/main.js)', () => {
  const running: Running[] = [];
  let folder: string | undefined;

  beforeAll(() => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build first`);
  });

  afterEach(async () => {
    await Promise.all(running.splice(0).map(stop));
    if (folder !== undefined) await rm(folder, { recursive: true, force: true });
  }, PROCESS_HOOK_TIMEOUT_MS);

  it('exits 1 naming the variable when required nonces have no secret', async () => {
    const failed = run(process.execPath, [MAIN], { env: { PATH: process.env['PATH'] ?? '', AUTH_DPOP_NONCE: 'required' } });
    await expect(failed).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('AUTH_DPOP_NONCE_SECRET: is required when AUTH_DPOP_NONCE=required'),
    });
  });

  it('keeps its signing key in AUTH_KEYS_FILE (0600) across a restart, and stops on SIGTERM', async () => {
    folder = await mkdtemp(join(tmpdir(), 'auth-process-'));
    const keysFile = join(folder, '.estate', 'auth-keys.json');
    const kids = async (issuer: string) => ((await (await fetch(`${issuer}/jwks`)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);

    const first = await start({ AUTH_KEYS_FILE: keysFile });
    const before = await kids(first.issuer);
    expect((await stat(keysFile)).mode & 0o777).toBe(0o600);
    expect(await stop(first)).toBe(0);

    const second = await start({ AUTH_KEYS_FILE: keysFile });
    running.push(second);
    expect(await kids(second.issuer)).toEqual(before);
  });
});
