import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCertificateAuthority, issueCertificate, type IssuedCertificate } from '../../../../certs/pki.js';
import { spiffeIdOf } from '../identity/estate-identity.js';
import { readCertificateKeyPair, readCertificateKeyPairAsync, type PairFile } from './certificate-key-pair.js';
import { EstateConfigError } from './estate-config-error.js';

// SECURITY.md L1/L6: a key and certificate are only ever used as a matching pair. A pair that is
// mid-renewal settles (test/lifecycle/pair-under-renewal.spec.ts); one that never matches is
// refused after the bound with a message naming both files, never their content.

let dir: string;
let first: IssuedCertificate;
let second: IssuedCertificate;
const SETTLE_MS = 100;

const file = (variable: string, name: string): PairFile => ({ variable, path: join(dir, name) });

function refusal(read: () => unknown): EstateConfigError {
  try {
    read();
  } catch (error) {
    if (error instanceof EstateConfigError) return error;
    throw error;
  }
  throw new Error('the pair was accepted');
}

async function asyncRefusal(read: () => Promise<unknown>): Promise<EstateConfigError> {
  const error = await read().then(
    () => new Error('the pair was accepted'),
    (caught: unknown) => caught,
  );
  if (error instanceof EstateConfigError) return error;
  throw error;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'certificate-key-pair-'));
  const ca = await createCertificateAuthority({ commonName: 'pair test CA', validityDays: 1 });
  first = await issueCertificate(ca, { commonName: 'orders', spiffeId: spiffeIdOf('orders'), usage: 'client' });
  second = await issueCertificate(ca, { commonName: 'orders', spiffeId: spiffeIdOf('orders'), usage: 'client' });
  await writeFile(join(dir, 'first.crt'), first.certificatePem + ca.certificatePem);
  await writeFile(join(dir, 'first.key'), first.privateKeyPem, { mode: 0o600 });
  await writeFile(join(dir, 'second.key'), second.privateKeyPem, { mode: 0o600 });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('readCertificateKeyPair (L1, L6: a key and its certificate, read as one matching pair)', () => {
  it('L6: a matching pair is returned with the certificate file\'s chain, leaf first', async () => {
    const pair = readCertificateKeyPair(file('NATS_CERT', 'first.crt'), file('NATS_KEY', 'first.key'));
    expect(pair.keyPem).toBe(first.privateKeyPem);
    expect(pair.chain).toHaveLength(2);
    expect(pair.chain[0]!.checkPrivateKey(pair.privateKey)).toBe(true);
    const same = await readCertificateKeyPairAsync(file('NATS_CERT', 'first.crt'), file('NATS_KEY', 'first.key'));
    expect(same.certPem).toBe(pair.certPem);
  });

  it('L6: a key that never matches the certificate is refused once the bound has passed, naming both files and the variable, never the key', async () => {
    const expected = `NATS_KEY: ${join(dir, 'second.key')} does not match the certificate ${join(dir, 'first.crt')} (re-read for ${SETTLE_MS} ms: not a renewal in progress)`;
    const error = refusal(() => readCertificateKeyPair(file('NATS_CERT', 'first.crt'), file('NATS_KEY', 'second.key'), { settleMs: SETTLE_MS }));
    expect(error.variable).toBe('NATS_KEY');
    expect(error.message).toBe(expected);
    const asyncError = await asyncRefusal(() => readCertificateKeyPairAsync(file('NATS_CERT', 'first.crt'), file('NATS_KEY', 'second.key'), { settleMs: SETTLE_MS }));
    expect(asyncError.message).toBe(expected);
    expect(`${error.message} ${asyncError.message}`).not.toContain('PRIVATE KEY');
  });

  it('L6: read once (settleMs 0, as the running watcher does), a mismatched pair is refused at the first read', () => {
    const error = refusal(() => readCertificateKeyPair(file('NATS_CERT', 'first.crt'), file('NATS_KEY', 'second.key'), { settleMs: 0 }));
    expect(error.message).toBe(`NATS_KEY: ${join(dir, 'second.key')} does not match the certificate ${join(dir, 'first.crt')}`);
  });

  it('a missing file, or one holding no key, fails at once, naming it: only a mismatch is waited out', async () => {
    expect(refusal(() => readCertificateKeyPair(file('NATS_CERT', 'first.crt'), file('CERTS_DIR', 'absent.key'))).message).toBe(`CERTS_DIR: cannot read ${join(dir, 'absent.key')} (ENOENT)`);
    expect((await asyncRefusal(() => readCertificateKeyPairAsync(file('NATS_CERT', 'absent.crt'), file('NATS_KEY', 'first.key')))).message).toBe(`NATS_CERT: cannot read ${join(dir, 'absent.crt')} (ENOENT)`);
    expect(refusal(() => readCertificateKeyPair(file('NATS_CERT', 'first.crt'), file('NATS_KEY', 'first.crt'))).message).toBe(`NATS_KEY: ${join(dir, 'first.crt')} holds no usable private key`);
    expect(refusal(() => readCertificateKeyPair(file('NATS_CERT', 'first.key'), file('NATS_KEY', 'first.key'))).message).toBe(`NATS_CERT: ${join(dir, 'first.key')} holds no PEM certificate`);
  });
});
