import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { splitPemCertificates } from '../../certs/trust-bundle.js';
import { startEstateFabric, TEST_CONNECT_TIMEOUT_MS, type EstateFabric } from '../../test-support/estate-fabric.js';
import { PROCESS_HOOK_TIMEOUT_MS } from '../../test-support/hook-timeout.js';
import { snapshotLeaf, type LeafSnapshot } from './leaf-snapshot.js';

// SECURITY.md L4 at the broker: a CA rollover on a rotating fabric with the real nats-server.
// The broker reloads the bundle that gained the new CA and its own certificate issued under it,
// with no restart; clients on leaves of either CA keep working through the overlap; the old CA
// leaves the bundle once its last leaf expired, and the broker goes on admitting the new leaves.

const LEAF_TTL_S = 30; // seconds
const PROPAGATION_S = 2; // seconds

let fabric: EstateFabric;
let snapshots: string;

beforeAll(async () => {
  fabric = await startEstateFabric({ rotation: { leafTtlSeconds: LEAF_TTL_S, caTtlSeconds: 3_600, autoCaRollover: false, bundlePropagationSeconds: PROPAGATION_S } });
  snapshots = await mkdtemp(join(tmpdir(), 'estate-rollover-snapshots-'));
}, PROCESS_HOOK_TIMEOUT_MS);

afterAll(async () => {
  await fabric?.stop();
  if (snapshots !== undefined) await rm(snapshots, { recursive: true, force: true });
}, PROCESS_HOOK_TIMEOUT_MS);

/** The identity's current pair (and bundle), copied away so later renewals leave it as it is. */
function snapshot(identity: string, label: string): Promise<LeafSnapshot> {
  return snapshotLeaf(fabric.files(identity), snapshots, label);
}

function connectWith(files: LeafSnapshot): Promise<NatsConnection> {
  return connect({ servers: fabric.url, tls: { certFile: files.certFile, keyFile: files.keyFile, caFile: files.caFile }, timeout: TEST_CONNECT_TIMEOUT_MS, reconnect: false });
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function bundleSubjects(): Promise<string[]> {
  return splitPemCertificates(await readFile(join(fabric.certsDir, 'ca.crt'), 'utf8')).map((pem) => new X509Certificate(pem).subject);
}

describe('CA rollover on the pinned broker (L4)', () => {
  it('L4: the broker follows the bundle through a rollover without a restart; both CAs\' leaves work during the overlap', async () => {
    const pid = fabric.supervisor.pid;
    const [oldCa] = await bundleSubjects();
    const before = await snapshot('orders', 'orders-old-ca');
    expect(before.certificate.issuer).toBe(oldCa);
    const onOldCa = await connectWith(before);
    await fabric.renewer!.rolloverCa();
    const [, newCa] = await bundleSubjects();
    expect(newCa).toBeDefined();
    // After the propagation delay every leaf, the broker's own included, comes from the new CA.
    await until(async () => (await snapshot('nats', 'nats-probe')).certificate.issuer === newCa && (await snapshot('orders', 'orders-probe')).certificate.issuer === newCa, 20_000, 'leaves under the new CA');
    const after = await snapshot('orders', 'orders-new-ca');
    const onNewCa = await connectWith(after);
    await onNewCa.flush();
    await onOldCa.flush(); // the old CA's leaf is still valid and pinned: still connected
    expect(onOldCa.isClosed()).toBe(false);
    // The old CA leaves the bundle once its last leaf expired (at most one leaf lifetime later).
    await until(async () => (await bundleSubjects()).length === 1, (LEAF_TTL_S + 10) * 1_000, 'the old CA to leave the bundle');
    expect(await bundleSubjects()).toEqual([newCa]);
    await onNewCa.flush();
    expect(onNewCa.isClosed()).toBe(false);
    const latest = await connectWith(await snapshot('edge', 'edge-latest'));
    await latest.flush();
    await latest.close();
    await onNewCa.close();
    await onOldCa.close().catch(() => undefined); // closed by the broker at its leaf's expiry
    expect(fabric.supervisor.pid).toBe(pid); // reloaded, never restarted
  }, 90_000);
});
