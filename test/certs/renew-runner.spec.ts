import { afterEach, describe, expect, it } from '@jest/globals';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { once } from 'node:events';
import { backdateSeconds, parseDurationSeconds } from '../../certs/lifetime.js';
import { renewSettings } from '../../certs/renew-settings.js';

// `node dist/certs/renew.js` (certs/renew.ts), the development stand-in for spiffe-helper or
// cert-manager: its settings (L1: lifetimes in seconds) and a real run that SIGHUPs the pid in a
// file on every change. Needs `npm run build` first, as every test of a built entry point.

const RENEW = resolve('dist/certs/renew.js');
const children: ChildProcess[] = [];
let root: string | undefined;

afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  if (root !== undefined) await rm(root, { recursive: true, force: true });
  root = undefined;
});

describe('lifetimes (L1)', () => {
  it('L1: durations in seconds from 30s, 15m, 1h, 2d or a bare number; anything else names the variable', () => {
    expect([parseDurationSeconds('30s', 'X'), parseDurationSeconds('15m', 'X'), parseDurationSeconds('1h', 'X'), parseDurationSeconds('2d', 'X'), parseDurationSeconds('45', 'X')]).toEqual([30, 900, 3_600, 172_800, 45]);
    expect(() => parseDurationSeconds('1.5h', 'CERT_TTL')).toThrow(/CERT_TTL: expected a duration/);
    expect(() => parseDurationSeconds('-30s', 'CERT_TTL')).toThrow(/CERT_TTL/);
  });

  it('L1: clock-skew backdating is a minute, or a tenth of a shorter lifetime', () => {
    expect([backdateSeconds(30), backdateSeconds(300), backdateSeconds(600), backdateSeconds(3_600), backdateSeconds(86_400)]).toEqual([3, 30, 60, 60, 60]);
  });
});

describe('renew settings', () => {
  it('reads CERTS_DIR, CERT_TTL, CA_TTL, CA_ROLLOVER_FRACTION, CA_PROPAGATION, CERT_KEY_ALGORITHM and SIGHUP_PID_FILE', () => {
    expect(renewSettings({})).toEqual({ renewer: { dir: 'certs/out' }, sighupPidFile: undefined });
    expect(renewSettings({ CERTS_DIR: '/srv/certs', CERT_TTL: '30s', CA_TTL: '2h', CA_ROLLOVER_FRACTION: '0.6', CA_PROPAGATION: '5s', CERT_KEY_ALGORITHM: 'EdDSA', SIGHUP_PID_FILE: '/run/nats.pid' })).toEqual({
      renewer: { dir: '/srv/certs', leafTtlSeconds: 30, caTtlSeconds: 7_200, caRolloverFraction: 0.6, bundlePropagationSeconds: 5, keyAlgorithm: 'EdDSA' },
      sighupPidFile: '/run/nats.pid',
    });
    expect(() => renewSettings({ CA_ROLLOVER_FRACTION: '1' })).toThrow(/CA_ROLLOVER_FRACTION/);
    expect(() => renewSettings({ CERT_KEY_ALGORITHM: 'RS256' })).toThrow(/CERT_KEY_ALGORITHM/);
  });
});

describe('node dist/certs/renew.js', () => {
  it('--help and -h print the usage on stdout and exit 0', () => {
    for (const flag of ['--help', '-h']) {
      const run = spawnSync(process.execPath, [RENEW, flag], { encoding: 'utf8' });
      expect(run.status).toBe(0);
      expect(run.stdout).toMatch(/^Usage: node dist\/certs\/renew\.js/);
      expect(run.stdout).toMatch(/CERT_TTL .*SIGHUP_PID_FILE/s);
    }
  });

  it('L1: issues the folder, sends SIGHUP to the pid in SIGHUP_PID_FILE on every change, and stops on SIGTERM', async () => {
    root = await mkdtemp(join(tmpdir(), 'estate-renew-'));
    // A stand-in for nats-server: counts the SIGHUPs it gets.
    const broker = spawn(process.execPath, ['-e', "let n = 0; process.on('SIGHUP', () => console.log('hup', ++n)); setInterval(() => {}, 1000);"], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(broker);
    let hups = 0;
    broker.stdout!.on('data', (chunk: Buffer) => (hups = Number(/hup (\d+)\s*$/.exec(chunk.toString())?.[1] ?? hups)));
    await writeFile(join(root, 'nats.pid'), `${broker.pid}\n`);
    const renew = spawn(process.execPath, [RENEW], { env: { ...process.env, CERTS_DIR: join(root, 'out'), CERT_TTL: '30s', CA_TTL: '10m', SIGHUP_PID_FILE: join(root, 'nats.pid') }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(renew);
    let output = '';
    renew.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    renew.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    for (let waited = 0; !output.includes('renewing certificates in') && waited < 20_000; waited += 100) await new Promise((r) => setTimeout(r, 100));
    expect(output).toContain('renewing certificates in');
    // bundle, nats, then pins + leaf for each of the five client identities: 12 changes.
    expect(output.match(/^(leaf|bundle|pins) /gm)).toHaveLength(12);
    for (let waited = 0; hups < 12 && waited < 5_000; waited += 100) await new Promise((r) => setTimeout(r, 100));
    // One signal per change; a pending signal is delivered once, so two sent within the
    // receiver's reaction time may count as one. Each pins change is followed by a 250 ms
    // settle, so at least those six (and the first) arrive apart.
    expect(hups).toBeGreaterThanOrEqual(6);
    expect(hups).toBeLessThanOrEqual(12);
    expect((await readdir(join(root, 'out'))).filter((file) => file.endsWith('.key')).sort()).toEqual(['admin.key', 'ca.key', 'edge.key', 'inventory.key', 'nats.key', 'orders.key', 'sts.key']);
    expect(output).not.toMatch(/PRIVATE KEY/);
    renew.kill('SIGTERM');
    const [code] = await once(renew, 'exit');
    expect(code).toBe(0);
  }, 60_000);
});
