import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PINNED_NATS_SERVER_VERSION } from '../../scripts/nats/nats-server-release.js';
import { freePort } from '../../test-support/free-port.js';
import { PROCESS_HOOK_TIMEOUT_MS } from '../../test-support/hook-timeout.js';

/**
 * `npm run estate -- --once`, the README's first command, as a newcomer runs it: the built
 * orchestrator (dist/scripts/estate/main.js) in its own process, with its own ports, certificate
 * folder and state folder so it never meets a demo running on 3000/4000/5173. It must walk the
 * hybrid flow, refuse both attacks, exit 0, and leave nothing running.
 */
const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const ESTATE_MAIN = join(ROOT, 'dist/scripts/estate/main.js');
const RUN_TIMEOUT_MS = 90_000; // milliseconds: certificates, nats-server, six apps, the walkthrough
const PINNED = PINNED_NATS_SERVER_VERSION.replaceAll('.', '\\.');

interface EstateRun {
  readonly code: number | null;
  readonly output: string;
}

/**
 * Runs the orchestrator to its end: with `--once`, or else until `interruptWhen` is printed, when
 * `whileRunning` runs and the run gets SIGINT (Ctrl-C).
 */
function runEstate(
  env: Record<string, string>,
  untilCtrlC?: { readonly interruptWhen: RegExp; readonly whileRunning: () => Promise<void> },
): Promise<EstateRun> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [ESTATE_MAIN, ...(untilCtrlC === undefined ? ['--once'] : [])], {
      cwd: ROOT,
      env: { PATH: process.env['PATH'] ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let interrupted = false;
    const keep = (chunk: Buffer): void => {
      output += chunk.toString();
      if (untilCtrlC !== undefined && !interrupted && untilCtrlC.interruptWhen.test(output)) {
        interrupted = true;
        untilCtrlC.whileRunning().then(
          () => child.kill('SIGINT'),
          (error: unknown) => {
            child.kill('SIGINT');
            reject(error instanceof Error ? error : new Error(String(error)));
          },
        );
      }
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`estate --once still running after ${RUN_TIMEOUT_MS} ms:\n${output}`));
    }, RUN_TIMEOUT_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolveRun({ code, output });
    });
  });
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolveProbe) => {
    const socket = tcpConnect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolveProbe(true);
    });
    socket.once('error', () => resolveProbe(false));
  });
}

async function textsUnder(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const names = await readdir(dir, { recursive: true, withFileTypes: true });
  return Promise.all(names.filter((entry) => entry.isFile()).map((entry) => readFile(join(entry.parentPath, entry.name), 'utf8')));
}

describe('npm run estate -- --once (the main job)', () => {
  let work: string;
  let ports: { edge: number; auth: number; spa: number };
  let run: EstateRun;

  beforeAll(async () => {
    if (!existsSync(ESTATE_MAIN)) throw new Error(`${ESTATE_MAIN} is missing: run npm run build first`);
    work = await mkdtemp(join(tmpdir(), 'estate-once-'));
    ports = { edge: await freePort(), auth: await freePort(), spa: await freePort() };
    run = await runEstate({
      EDGE_PORT: String(ports.edge),
      AUTH_PORT: String(ports.auth),
      SPA_PORT: String(ports.spa),
      CERTS_DIR: join(work, 'certs'),
      ESTATE_DIR: join(work, 'state'),
    });
  }, RUN_TIMEOUT_MS + 10_000);

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  }, PROCESS_HOOK_TIMEOUT_MS);

  it('walks every step, refuses both attacks and exits 0', () => {
    expect({ code: run.code, failed: run.output.match(/^ *\d+\. FAIL .*$/gm) }).toEqual({ code: 0, failed: null });
    for (const step of [
      /ok {4}log in as alice through the login form/,
      /ok {4}GET \/v1\/me at the edge/,
      /ok {4}POST \/v1\/orders/,
      /ok {4}GET \/v1\/orders\/:id/,
      // L1-L3, L5: every certificate renewed live, each workload moved, the old ones revoked, an order still placed.
      /ok {4}renew every workload certificate and the broker's now/,
      /ok {4}revoke every superseded certificate on estate\.revocations/,
      /ok {4}an order placed now still goes through every hop/,
      /no app restarted \(same pids\)/,
      /ok {4}the edge refuses it: 401 invalid_token/,
      /ok {4}orders refuses it/,
      /Every step went as expected/,
    ]) {
      expect(run.output).toMatch(step);
    }
    expect(run.output).toMatch(/^ {12}201 \{"id":"[0-9a-f-]{36}","owner":"alice","sku":"tea","quantity":2,"status":"reserved"/m);
    expect(run.output).toMatch(/refused: \{"code":"invalid_token","type":"token_signature"/);
  });

  it('O3/L5: each revocation of the live renewal writes the `revocation_published` audit line `npm run revoke` writes, naming the certificate by thumbprint', () => {
    const published = run.output
      .split('\n')
      .filter((line) => line.startsWith('{"schema":"hybrid-estate.audit/1"') && line.includes('"event":"revocation_published"'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const revoked = /(\d+) certificates revoked \(([^)]*)\)/.exec(run.output);
    expect(revoked).not.toBeNull();
    expect(published).toHaveLength(Number(revoked![1]));
    for (const line of published) {
      expect(line).toEqual(expect.objectContaining({ service: 'revoke', caller: 'spiffe://estate.local/admin', revocation_kind: 'cert', thumbprint: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), until: expect.any(Number) }));
    }
    expect(new Set(published.map((line) => line['thumbprint'])).size).toBe(published.length);
  });

  it('T5: prints the broker it runs as one line starting `nats-server v<pinned>`, with where it came from', () => {
    expect(run.output).toMatch(new RegExp(`^ {12}nats-server v${PINNED} \\((NATS_SERVER_BIN|\\.bin|\\.bin \\(built now\\)|PATH|well-known folder);`, 'm'));
  });

  it('leaves nothing running: no app port and not the broker answers after it exits', async () => {
    const natsPort = Number(/NATS_URL=tls:\/\/127\.0\.0\.1:(\d+)/.exec(run.output)?.[1]);
    expect(natsPort).toBeGreaterThan(0);
    for (const port of [ports.edge, ports.auth, ports.spa, natsPort]) {
      expect({ port, listening: await listening(port) }).toEqual({ port, listening: false });
    }
  });

  it('prints no token: neither its output nor any app log holds the access or refresh token', async () => {
    const tokens = JSON.parse(await readFile(join(work, 'state/mobile/tokens.json'), 'utf8')) as Record<string, unknown>;
    const secrets = [tokens['access_token'], tokens['refresh_token']].filter((value): value is string => typeof value === 'string');
    expect(secrets.length).toBeGreaterThan(0);
    const logs = await textsUnder(join(work, 'state/logs'));
    expect(logs.length).toBe(6);
    for (const text of [run.output, ...logs]) {
      for (const secret of secrets) expect(text.includes(secret)).toBe(false);
    }
  });
});

describe('npm run estate without a suitable nats-server (T5)', () => {
  async function refused(binary: (work: string) => Promise<string>): Promise<EstateRun> {
    const work = await mkdtemp(join(tmpdir(), 'estate-nonats-'));
    try {
      const edge = await freePort();
      const run = await runEstate({ EDGE_PORT: String(edge), CERTS_DIR: join(work, 'certs'), ESTATE_DIR: join(work, 'state'), NATS_SERVER_BIN: await binary(work) });
      expect(await listening(edge)).toBe(false);
      return run;
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  it('T5: a missing binary: exits 1 naming the pinned release and the command that builds it, leaving nothing behind', async () => {
    const run = await refused(async (work) => join(work, 'no-such-nats-server'));
    expect(run.code).toBe(1);
    expect(run.output).toMatch(/nats-server is missing/);
    expect(run.output).toContain(`go install github.com/nats-io/nats-server/v2@v${PINNED_NATS_SERVER_VERSION}`);
    expect(run.output).not.toMatch(/apt-get/);
  }, RUN_TIMEOUT_MS);

  it('T5: an older release (Debian\'s 2.9.10) is refused with the pinned version and the build command', async () => {
    const run = await refused(async (work) => {
      const fake = join(work, 'nats-server');
      await writeFile(fake, '#!/bin/sh\necho "nats-server: v2.9.10"\n');
      await chmod(fake, 0o755);
      return fake;
    });
    expect(run.code).toBe(1);
    expect(run.output).toContain(`nats-server v${PINNED_NATS_SERVER_VERSION} is required`);
    expect(run.output).toContain('v2.9.10');
    expect(run.output).toContain(`go install github.com/nats-io/nats-server/v2@v${PINNED_NATS_SERVER_VERSION}`);
  }, RUN_TIMEOUT_MS);
});

describe('npm run estate (no --once): the demo keeps running for the SPA', () => {
  it('serves the SPA and the edge until Ctrl-C, then stops everything and exits 0', async () => {
    const work = await mkdtemp(join(tmpdir(), 'estate-ctrlc-'));
    try {
      const ports = { edge: await freePort(), auth: await freePort(), spa: await freePort() };
      const seen: Record<string, number> = {};
      const run = await runEstate(
        { EDGE_PORT: String(ports.edge), AUTH_PORT: String(ports.auth), SPA_PORT: String(ports.spa), CERTS_DIR: join(work, 'certs'), ESTATE_DIR: join(work, 'state') },
        {
          interruptWhen: /running until Ctrl-C/,
          whileRunning: async () => {
            seen['spa'] = (await fetch(`http://127.0.0.1:${ports.spa}/`)).status;
            seen['edge'] = (await fetch(`http://127.0.0.1:${ports.edge}/healthz`)).status;
          },
        },
      );
      expect({ code: run.code, seen }).toEqual({ code: 0, seen: { spa: 200, edge: 200 } });
      expect(run.output).toMatch(/stopping the estate/);
      for (const port of Object.values(ports)) expect({ port, listening: await listening(port) }).toEqual({ port, listening: false });
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }, RUN_TIMEOUT_MS);
});
