/**
 * Issue 14 §5: every app reads its configuration through ConfigModule, and a bad variable still
 * stops it at start-up: the built entry point (`node dist/apps/<app>/main.js`, after `npm run
 * build`) exits 1 with `<app>: bad configuration: <VARIABLE>: <problem>`, before it listens or
 * connects anywhere. One bad variable per app, each a different kind of rule.
 */
import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { builtAppPath } from '../../test-support/built-app.js';

const run = promisify(execFile);
const START_TIMEOUT_MS = 20_000;

/** Runs the app with only `env` (plus PATH) and returns its exit code and standard error. */
async function start(app: string, env: Readonly<Record<string, string>>): Promise<{ code: number; stderr: string }> {
  try {
    await run(process.execPath, [builtAppPath(app)], { env: { PATH: process.env['PATH'] ?? '', ...env }, timeout: START_TIMEOUT_MS });
    return { code: 0, stderr: '' };
  } catch (error) {
    const failed = error as { code?: number; stderr?: string };
    return { code: failed.code ?? -1, stderr: failed.stderr ?? '' };
  }
}

const CASES: readonly { app: string; env: Record<string, string>; message: string }[] = [
  { app: 'edge', env: { AUTH_ISSUER: 'http://127.0.0.1:4000', EDGE_PORT: '99999' }, message: 'edge: bad configuration: EDGE_PORT: must be an integer from 0 to 65535, got "99999"' },
  { app: 'edge', env: {}, message: 'edge: bad configuration: AUTH_ISSUER: is required' },
  { app: 'auth', env: { AUTH_DPOP_NONCE: 'sometimes' }, message: 'auth: bad configuration: AUTH_DPOP_NONCE: must be one of off, required' },
  {
    app: 'sts',
    env: { AUTH_ISSUER: 'http://127.0.0.1:4000', EDGE_AUDIENCE: 'http://localhost:3000', NATS_URL: 'tls://127.0.0.1:4443', CERTS_DIR: 'certs/out', STS_KEY_ROTATION_S: '30' },
    message: 'sts: bad configuration: STS_KEY_ROTATION_S: must be 0 or at least 60',
  },
  { app: 'orders', env: { NATS_URL: 'https://127.0.0.1:4443', CERTS_DIR: 'certs/out' }, message: 'orders: bad configuration: NATS_URL: must use tls:// or nats://, got "https://"' },
  { app: 'inventory', env: { NATS_URL: 'tls://127.0.0.1:4443' }, message: 'inventory: bad configuration: NATS_CERT: is required (or set CERTS_DIR to a folder holding it)' },
  { app: 'spa', env: { SPA_PUBLIC_URL: 'http://localhost:5173/app' }, message: 'spa: bad configuration: SPA_PUBLIC_URL: must be an origin (scheme, host, port; no path)' },
];

describe('a bad variable stops the built app at start-up, naming it', () => {
  it.each(CASES)('$app: $message', async ({ app, env, message }) => {
    const { code, stderr } = await start(app, env);
    expect(code).toBe(1);
    expect(stderr.split('\n')).toContain(message);
  }, START_TIMEOUT_MS + 5_000);
});
