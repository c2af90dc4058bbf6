import { afterEach, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { startRenewerFixture, temporaryFiles, type RenewerFixture } from './renewer-fixture.js';

// SECURITY.md L6 "no half-written certificate or key is ever read" and L1 "rewriting the files
// atomically": a reader on another thread polls `orders.key` and `orders.crt` as fast as it can
// while the renewer replaces them over and over. It must never see a missing or partial file;
// a new key beside the old certificate may be seen, and checkPrivateKey refuses it; every pair it
// would accept is one the renewer issued.

const RENEWALS = 60;
const READER = `
const { workerData, parentPort } = require('node:worker_threads');
const { readFileSync } = require('node:fs');
const { X509Certificate, createPrivateKey, createHash } = require('node:crypto');
const stop = new Int32Array(workerData.stop);
const seen = { reads: 0, missing: 0, partial: 0, mismatched: 0, accepted: new Set() };
while (Atomics.load(stop, 0) === 0) {
  seen.reads++;
  let keyText, certText;
  try {
    keyText = readFileSync(workerData.keyFile, 'utf8');
    certText = readFileSync(workerData.certFile, 'utf8');
  } catch { seen.missing++; continue; }
  let key, certificate;
  try {
    if (!certText.endsWith('-----END CERTIFICATE-----\\n') || !keyText.endsWith('-----END PRIVATE KEY-----\\n')) throw new Error('cut');
    key = createPrivateKey(keyText);
    certificate = new X509Certificate(certText);
  } catch { seen.partial++; continue; }
  if (certificate.checkPrivateKey(key)) seen.accepted.add(createHash('sha256').update(certificate.raw).digest('base64url'));
  else seen.mismatched++;
}
parentPort.postMessage({ ...seen, accepted: [...seen.accepted] });
`;

interface ReaderResult {
  readonly reads: number;
  readonly missing: number;
  readonly partial: number;
  readonly mismatched: number;
  readonly accepted: string[];
}

let fixture: RenewerFixture | undefined;

afterEach(async () => {
  await fixture?.cleanup();
  fixture = undefined;
});

describe('CertificateRenewer: atomic files (L1, L6)', () => {
  it('L6: a reader polling in a loop never sees a missing or partial file, and accepts only pairs the renewer issued', async () => {
    fixture = await startRenewerFixture();
    const stop = new SharedArrayBuffer(4);
    const reader = new Worker(READER, { eval: true, workerData: { stop, keyFile: join(fixture.dir, 'orders.key'), certFile: join(fixture.dir, 'orders.crt') } });
    const result = new Promise<ReaderResult>((resolve, reject) => {
      reader.once('message', resolve);
      reader.once('error', reject);
    });
    const issued = new Set<string>([fixture.renewer.status().leaves['orders']!.thumbprint!]);
    for (let renewal = 0; renewal < RENEWALS; renewal++) {
      await fixture.renewer.renewNow('orders');
      issued.add(fixture.renewer.status().leaves['orders']!.thumbprint!);
    }
    Atomics.store(new Int32Array(stop), 0, 1);
    const seen = await result;
    await reader.terminate();
    expect(issued.size).toBe(RENEWALS + 1);
    expect(seen.reads).toBeGreaterThan(RENEWALS);
    expect({ missing: seen.missing, partial: seen.partial }).toEqual({ missing: 0, partial: 0 });
    expect(seen.accepted.length).toBeGreaterThan(1);
    for (const thumbprint of seen.accepted) expect(issued.has(thumbprint)).toBe(true);
    expect(await temporaryFiles(fixture.dir)).toEqual([]);
    // What the reader saw, for the record: mismatches are the key-first window, refused by checkPrivateKey.
    process.stdout.write(`atomic-files: ${seen.reads} reads, ${seen.accepted.length} distinct pairs accepted, ${seen.mismatched} new-key/old-certificate reads refused\n`);
  }, 60_000);
});
