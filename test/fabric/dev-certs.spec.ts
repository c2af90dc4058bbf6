import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

// `npm run certs` (certs/generate-dev-certs.ts): one pass of the certificate renewer, run as
// built: idempotent, keeps what is valid, reissues what is missing or broken, short-lived leaves,
// private keys 0600 in a 0700 folder. The renewer's own specs (test/certs/) cover the rest.

const run = promisify(execFile);
const SCRIPT = 'dist/certs/generate-dev-certs.js';
const LEAVES = ['nats', 'edge', 'sts', 'orders', 'inventory', 'admin'];
let dir: string;

beforeEach(async () => {
  if (!existsSync(SCRIPT)) throw new Error(`${SCRIPT} is missing: run npm run build first`);
  dir = join(await mkdtemp(join(tmpdir(), 'estate-dev-certs-')), 'out');
});

afterEach(async () => {
  await rm(join(dir, '..'), { recursive: true, force: true });
});

async function certs(env: Record<string, string> = {}): Promise<string> {
  const { stdout } = await run(process.execPath, [SCRIPT], { env: { PATH: process.env['PATH'] ?? '', CERTS_DIR: dir, ...env } });
  return stdout;
}

const crt = (name: string): Promise<string> => readFile(join(dir, `${name}.crt`), 'utf8');

describe('npm run certs (one renewer pass)', () => {
  it('L1: creates the CA, the broker and one 1 h certificate per identity, keys 0600 in a 0700 folder', async () => {
    await certs();
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    for (const name of ['ca', ...LEAVES]) {
      expect((await stat(join(dir, `${name}.key`))).mode & 0o777).toBe(0o600);
      expect((await stat(join(dir, `${name}.crt`))).mode & 0o777).toBe(0o644);
    }
    const orders = new X509Certificate(await crt('orders'));
    expect(orders.subjectAltName).toBe('URI:spiffe://estate.local/orders');
    expect(new Date(orders.validTo).getTime() - new Date(orders.validFrom).getTime()).toBe((3_600 + 60) * 1_000);
    expect(await readFile(join(dir, 'nats-pins.conf'), 'utf8')).toMatch(/^pinned_certs: \[/);
  });

  it('L1: is idempotent: a second run keeps every certificate byte for byte', async () => {
    await certs();
    const before = await Promise.all(['ca', ...LEAVES].map(crt));
    await certs();
    expect(await Promise.all(['ca', ...LEAVES].map(crt))).toEqual(before);
  });

  it('L6: reissues only what is missing or broken, under the same CA', async () => {
    await certs();
    const [ca, orders, edge] = [await crt('ca'), await crt('orders'), await crt('edge')];
    await unlink(join(dir, 'edge.key'));
    await writeFile(join(dir, 'sts.crt'), 'not a certificate');
    await certs();
    expect(await crt('ca')).toBe(ca);
    expect(await crt('orders')).toBe(orders);
    expect(await crt('edge')).not.toBe(edge);
    expect(new X509Certificate(await crt('sts')).checkIssued(new X509Certificate(ca))).toBe(true);
  });

  it('answers --help with its usage on stdout and exit 0', async () => {
    const { stdout } = await run(process.execPath, [SCRIPT, '--help']);
    expect(stdout).toMatch(/^Usage: npm run certs/);
  });

  it('a bad setting stops it with a message naming the variable, and writes nothing', async () => {
    await expect(certs({ CERT_TTL: 'soon' })).rejects.toMatchObject({ stderr: expect.stringContaining('CERT_TTL') });
    expect(existsSync(join(dir, 'ca.crt'))).toBe(false);
  });
});
