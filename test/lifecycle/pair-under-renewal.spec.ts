import { afterEach, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CertificateRenewer } from '../../certs/certificate-renewer.js';
import { ESTATE_LEAVES } from '../../certs/estate-leaves.js';
import { readCertificateKeyPairAsync } from '../../libs/estate/src/config/certificate-key-pair.js';
import { loadTlsIdentity } from '../../libs/estate/src/config/tls-identity.js';
import { spiffeIdOf } from '../../libs/estate/src/identity/estate-identity.js';
import { handOut, handOutPlan } from '../../scripts/nats/hand-out.js';

// SECURITY.md L1/L6, the reading side of a renewal: the renewer replaces a leaf's key, then its
// certificate, each by rename; whoever reads the pair between the two renames sees the new key
// with the old certificate. Every reader of a pair (start-up identity load, hand-out) reads it as
// one matching pair, never a mismatched one, and does not fail because a renewal was under way.
// The real renewer renews `orders` back to back, as fast as it can, while a reader loads the pair
// hundreds of times. The outcome is what is asserted, never how long anything took.
// Needs `npm run build` first (the renewer runs from dist/ in a process of its own).

const ORDERS = spiffeIdOf('orders');
const ORDERS_LEAF = ESTATE_LEAVES.filter((leaf) => leaf.name === 'orders');
const LOADS = 300;
/** Loads go on until the reader has seen this many different certificates: the renewals really overlapped the reads. */
const RENEWALS_SEEN = 20;
/** A safety stop for the loop: far more loads than ever needed. */
const MAX_LOADS = 100_000;

const children: ChildProcess[] = [];
const roots: string[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  }
  for (const root of roots.splice(0)) await rm(root, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'pair-under-renewal-'));
  roots.push(root);
  return root;
}

/** The built renewer in a process of its own, issuing `orders` again as soon as the last issue is written. */
async function renewerInALoop(dir: string): Promise<ChildProcess> {
  const url = (path: string) => pathToFileURL(resolve(path)).href;
  const script = `
    import { CertificateRenewer } from ${JSON.stringify(url('dist/certs/certificate-renewer.js'))};
    import { ESTATE_LEAVES } from ${JSON.stringify(url('dist/certs/estate-leaves.js'))};
    const renewer = new CertificateRenewer({ dir: process.env.PAIR_DIR, leafTtlSeconds: 30, leaves: ESTATE_LEAVES.filter((leaf) => leaf.name === 'orders'), log: () => undefined });
    await renewer.start();
    process.stdout.write('started\\n');
    for (;;) await renewer.renewNow('orders');
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, PAIR_DIR: dir }, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  let output = '';
  await new Promise<void>((resolveStarted, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('started\n')) resolveStarted();
    });
    child.once('exit', (code) => reject(new Error(`the renewer exited (${code}) before it started`)));
  });
  return child;
}

function matches(certPem: string, keyPem: string): boolean {
  return new X509Certificate(certPem).checkPrivateKey(createPrivateKey(keyPem));
}

describe('a key and certificate read while the renewer replaces them (L1, L6)', () => {
  it('L6: start-up loads of a 30 s identity renewed back to back in another process are each a matching pair, and none fails', async () => {
    const dir = await tempDir();
    await renewerInALoop(dir);
    const failures: string[] = [];
    const certificates = new Set<string>();
    let mismatched = 0;
    let loads = 0;
    while ((loads < LOADS || certificates.size < RENEWALS_SEEN) && loads < MAX_LOADS) {
      loads++;
      try {
        // What every workload, the edge and the STS do at start-up (loadEstateConfig), with the default wait.
        const identity = loadTlsIdentity({
          cert: { variable: 'NATS_CERT', path: join(dir, 'orders.crt') },
          key: { variable: 'NATS_KEY', path: join(dir, 'orders.key') },
          ca: { variable: 'NATS_CA', path: join(dir, 'ca.crt') },
          spiffeId: ORDERS,
          now: new Date(),
        });
        if (!matches(identity.cert, identity.key)) mismatched++;
        certificates.add(identity.cert);
      } catch (error) {
        failures.push(error instanceof Error ? error.message : String(error));
      }
      // Let the event loop breathe now and then (the renewer runs elsewhere; this only keeps jest responsive).
      if (loads % 50 === 0) await new Promise((next) => setImmediate(next));
    }
    expect(failures).toEqual([]);
    expect(mismatched).toBe(0);
    expect(loads).toBeGreaterThanOrEqual(LOADS);
    expect(certificates.size).toBeGreaterThanOrEqual(RENEWALS_SEEN);
  });

  it('L1/L6: in the renewer\'s own process, pair reads and the hand-out into a workload\'s folder only ever see or copy a matching pair', async () => {
    const root = await tempDir();
    const dir = join(root, 'certs');
    const out = join(root, 'hand-out');
    const renewer = new CertificateRenewer({ dir, leafTtlSeconds: 30, leaves: ORDERS_LEAF, log: () => undefined });
    await renewer.start();
    let renewing = true;
    let renewals = 0;
    const loop = (async () => {
      while (renewing) {
        await renewer.renewNow('orders');
        renewals++;
      }
    })();
    const failures: string[] = [];
    const certificates = new Set<string>();
    let mismatched = 0;
    let handOuts = 0;
    try {
      const plan = handOutPlan(['orders'], 0);
      const cert = (folder: string) => ({ variable: 'NATS_CERT', path: join(folder, 'orders.crt') });
      const key = (folder: string) => ({ variable: 'NATS_KEY', path: join(folder, 'orders.key') });
      let loads = 0;
      while ((loads < LOADS || certificates.size < RENEWALS_SEEN) && loads < MAX_LOADS) {
        loads++;
        try {
          const pair = await readCertificateKeyPairAsync(cert(dir), key(dir));
          if (!matches(pair.certPem, pair.keyPem)) mismatched++;
          certificates.add(pair.certPem);
          if (loads % 3 === 0) {
            // The renewer service's hand-out, while renewals go on: what it leaves in the workload's
            // folder is one matching pair (read once, no waiting: nothing writes there now).
            await handOut(dir, out, plan);
            handOuts++;
            const handedOut = await readCertificateKeyPairAsync(cert(join(out, 'orders')), key(join(out, 'orders')), { settleMs: 0 });
            if (!matches(handedOut.certPem, handedOut.keyPem)) mismatched++;
          }
        } catch (error) {
          failures.push(error instanceof Error ? error.message : String(error));
        }
      }
    } finally {
      renewing = false;
      await loop;
      await renewer.stop();
    }
    expect(failures).toEqual([]);
    expect(mismatched).toBe(0);
    expect(handOuts).toBeGreaterThanOrEqual(LOADS / 3);
    expect(certificates.size).toBeGreaterThanOrEqual(RENEWALS_SEEN);
    expect(renewals).toBeGreaterThanOrEqual(RENEWALS_SEEN);
  });
});
