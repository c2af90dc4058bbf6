import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCertificateAuthority, issueCertificate, type Authority, type IssuedCertificate } from '../../../../certs/pki.js';
import { loadTlsIdentity, type TlsIdentity } from '../config/tls-identity.js';
import { spiffeIdOf } from '../identity/estate-identity.js';
import { IdentityWatcher } from './identity-watcher.js';

// Real files, real certificates: a renewer rewrites the key, then the certificate, each by rename.

const ORDERS = spiffeIdOf('orders');
let dir: string;
let ca: Authority;
let watcher: IdentityWatcher | undefined;

const files = () => ({ cert: join(dir, 'orders.crt'), key: join(dir, 'orders.key'), ca: join(dir, 'ca.crt') });

async function replace(path: string, text: string, mode = 0o644): Promise<void> {
  const temporary = join(dir, `.${Math.random().toString(36).slice(2)}.tmp`);
  await writeFile(temporary, text, { mode });
  await rename(temporary, path);
}

async function renew(issued: IssuedCertificate, step: 'key' | 'both' = 'both'): Promise<void> {
  await replace(files().key, issued.privateKeyPem, 0o600);
  if (step === 'both') await replace(files().cert, issued.certificatePem);
}

const leaf = (authority = ca): Promise<IssuedCertificate> => issueCertificate(authority, { commonName: 'orders', spiffeId: ORDERS, usage: 'client' });

function load(): TlsIdentity {
  const { cert, key, ca: caFile } = files();
  return loadTlsIdentity({ cert: { variable: 'NATS_CERT', path: cert }, key: { variable: 'NATS_KEY', path: key }, ca: { variable: 'NATS_CA', path: caFile }, spiffeId: ORDERS, now: new Date() });
}

beforeAll(async () => {
  ca = await createCertificateAuthority({ commonName: 'watcher test CA', validityDays: 1 });
});

afterEach(async () => {
  watcher?.close();
  watcher = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function setUp(options: { pollMs?: number } = {}): Promise<{ seen: TlsIdentity[]; logs: string[] }> {
  dir = await mkdtemp(join(tmpdir(), 'identity-watcher-'));
  await replace(files().ca, ca.certificatePem);
  await renew(await leaf());
  const seen: TlsIdentity[] = [];
  const logs: string[] = [];
  watcher = new IdentityWatcher(load(), ORDERS, { pollMs: options.pollMs ?? 60_000, debounceMs: 20, log: (message) => logs.push(message) });
  watcher.subscribe((identity) => void seen.push(identity));
  return { seen, logs };
}

describe('IdentityWatcher (L1, L6: renewed files followed, half-written ones never used)', () => {
  afterAll(() => undefined);

  it('L6: a key renamed before its certificate (a renewal half done) is not used; the pair is, once the certificate lands', async () => {
    const { seen, logs } = await setUp();
    const before = watcher!.current;
    const next = await leaf();
    await renew(next, 'key');
    expect(await watcher!.check()).toBe(false);
    expect(watcher!.current).toBe(before);
    expect(watcher!.problem).toMatch(/orders\.key does not match the certificate/);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/keeping the current certificate/);
    expect(logs.join('\n')).not.toContain('PRIVATE KEY');
    expect(await watcher!.check()).toBe(false);
    expect(logs).toHaveLength(1); // the same reason is logged once

    await replace(files().cert, next.certificatePem);
    expect(await watcher!.check()).toBe(true);
    expect(watcher!.current.cert).toBe(next.certificatePem);
    expect(watcher!.problem).toBeUndefined();
    expect(seen.map((identity) => identity.cert)).toEqual([next.certificatePem]);
  });

  it('L6: an unreadable, truncated or foreign certificate is not used; rewriting the same files is no change', async () => {
    const { seen } = await setUp();
    const before = watcher!.current;
    await rm(files().cert);
    expect(await watcher!.check()).toBe(false);
    expect(watcher!.problem).toMatch(/cannot read .*orders\.crt \(ENOENT\)/);
    await replace(files().cert, before.cert.slice(0, 200));
    expect(await watcher!.check()).toBe(false);
    const foreign = await leaf(await createCertificateAuthority({ commonName: 'foreign CA', validityDays: 1 }));
    await renew(foreign);
    expect(await watcher!.check()).toBe(false);
    expect(watcher!.problem).toMatch(/is not issued by the CA/);
    expect(watcher!.current).toBe(before);

    await replace(files().key, before.key, 0o600);
    await replace(files().cert, before.cert);
    expect(await watcher!.check()).toBe(false);
    expect(watcher!.problem).toBeUndefined();
    expect(seen).toEqual([]);
  });

  it('L1: a renewal is noticed from the folder events alone, without a poll or an explicit check', async () => {
    const { seen } = await setUp();
    watcher!.start();
    const next = await leaf();
    await renew(next);
    const deadline = Date.now() + 5_000;
    while (seen.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(seen.map((identity) => identity.cert)).toEqual([next.certificatePem]);
  });

  it('L1: the poll notices a renewal when no event arrives', async () => {
    const { seen } = await setUp({ pollMs: 50 });
    const next = await leaf();
    await renew(next);
    watcher!.start(); // started after the rewrite: no event for it, only the poll
    const deadline = Date.now() + 5_000;
    while (seen.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(seen.map((identity) => identity.cert)).toEqual([next.certificatePem]);
  });
});
