import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDevCertificates, type DevCertsOptions } from '../../certs/ensure-dev-certs.js';
import { createCertificateAuthority, issueCertificate } from '../../certs/pki.js';

// `npm run certs` (certs/ensure-dev-certs.ts): idempotent, keeps what is valid, never replaces
// a CA, and writes private keys 0600.

const DAY_MS = 86_400_000;
const NAMES = ['ca', 'nats', 'edge', 'sts', 'orders', 'inventory', 'admin'];
let dir: string;
let options: DevCertsOptions;

beforeEach(async () => {
  dir = join(await mkdtemp(join(tmpdir(), 'estate-dev-certs-')), 'out');
  options = { dir, caValidityDays: 30, leafValidityDays: 7, keyAlgorithm: 'ES256' };
});

afterEach(async () => {
  await rm(join(dir, '..'), { recursive: true, force: true });
});

function actions(outcomes: Awaited<ReturnType<typeof ensureDevCertificates>>): Record<string, string> {
  return Object.fromEntries(outcomes.map(({ name, action }) => [name, action]));
}

describe('ensureDevCertificates (npm run certs)', () => {
  it('creates the CA, the broker and one certificate per identity, keys 0600 in a 0700 folder', async () => {
    expect(actions(await ensureDevCertificates(options))).toEqual(Object.fromEntries(NAMES.map((name) => [name, 'created'])));
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    for (const name of NAMES) {
      expect((await stat(join(dir, `${name}.key`))).mode & 0o777).toBe(0o600);
      expect((await stat(join(dir, `${name}.crt`))).mode & 0o777).toBe(0o644);
    }
    const orders = new X509Certificate(await readFile(join(dir, 'orders.crt')));
    expect(orders.subjectAltName).toBe('URI:spiffe://estate.local/orders');
  });

  it('is idempotent: a second run keeps every file byte for byte', async () => {
    await ensureDevCertificates(options);
    const before = await Promise.all(NAMES.map((name) => readFile(join(dir, `${name}.crt`), 'utf8')));
    expect(actions(await ensureDevCertificates(options))).toEqual(Object.fromEntries(NAMES.map((name) => [name, 'kept'])));
    expect(await Promise.all(NAMES.map((name) => readFile(join(dir, `${name}.crt`), 'utf8')))).toEqual(before);
  });

  it('reissues only what is missing, broken or about to expire', async () => {
    await ensureDevCertificates(options);
    await unlink(join(dir, 'edge.key'));
    await writeFile(join(dir, 'sts.crt'), 'not a certificate');
    const outcome = actions(await ensureDevCertificates(options));
    expect(outcome).toMatchObject({ ca: 'kept', edge: 'renewed', sts: 'renewed', orders: 'kept' });
    const sixAndAHalfDaysLater = new Date(Date.now() + 6.5 * DAY_MS);
    const later = actions(await ensureDevCertificates({ ...options, now: sixAndAHalfDaysLater }));
    expect(later).toMatchObject({ ca: 'kept', orders: 'renewed', nats: 'renewed', admin: 'renewed' });
  });

  it('reissues leaves signed by another CA (the CA was replaced)', async () => {
    await ensureDevCertificates(options);
    const foreign = await createCertificateAuthority({ commonName: 'someone else' });
    const leaf = await issueCertificate(foreign, { commonName: 'orders', spiffeId: 'spiffe://estate.local/orders', usage: 'client' });
    await writeFile(join(dir, 'orders.crt'), leaf.certificatePem);
    await writeFile(join(dir, 'orders.key'), leaf.privateKeyPem, { mode: 0o600 });
    expect(actions(await ensureDevCertificates(options))).toMatchObject({ orders: 'renewed', edge: 'kept' });
  });

  it('bring your own CA: leaves are issued by it, and without its key valid leaves are still kept', async () => {
    const own = await createCertificateAuthority({ commonName: 'my company dev CA', keyAlgorithm: 'EdDSA' });
    await ensureDevCertificates({ ...options, dir }); // creates the folder
    await writeFile(join(dir, 'ca.crt'), own.certificatePem);
    await writeFile(join(dir, 'ca.key'), own.privateKeyPem, { mode: 0o600 });
    expect(actions(await ensureDevCertificates(options))).toMatchObject({ ca: 'kept', edge: 'renewed', nats: 'renewed' });
    const edge = new X509Certificate(await readFile(join(dir, 'edge.crt')));
    expect(edge.verify(new X509Certificate(own.certificatePem).publicKey)).toBe(true);
    await unlink(join(dir, 'ca.key'));
    expect(actions(await ensureDevCertificates(options))).toMatchObject({ ca: 'kept', edge: 'kept' });
    await unlink(join(dir, 'edge.crt'));
    await expect(ensureDevCertificates(options)).rejects.toThrow(/ca\.key is missing/);
  });

  it('never replaces an expiring CA by itself: it says what to do', async () => {
    await ensureDevCertificates(options);
    await expect(ensureDevCertificates({ ...options, now: new Date(Date.now() + 29.5 * DAY_MS) })).rejects.toThrow(
      /ca\.crt is expired or expires within a day .*remove ca\.crt and ca\.key/,
    );
  });
});
