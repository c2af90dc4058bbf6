import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { certificateThumbprint } from '../../certs/spki-pin.js';
import { startEstateFabric, TEST_CONNECT_TIMEOUT_MS, type EstateFabric } from '../../test-support/estate-fabric.js';
import { PROCESS_HOOK_TIMEOUT_MS } from '../../test-support/hook-timeout.js';
import { snapshotLeaf, type LeafSnapshot } from './leaf-snapshot.js';

// SECURITY.md L1 and L5 at the broker, against the real nats-server (the pinned release) and a
// fabric whose certificates a CertificateRenewer issues with a 30 s TTL: the broker admits only
// pinned keys, and on the reload that follows each pins change it closes the connections whose
// key left the list, at the leaf's expiry or on its revocation. No mocks: real processes, files
// and crypto. Real time: the expiry case waits out one 30 s leaf.

const LEAF_TTL_S = 30; // seconds
/** Expiry timer, pins write, SIGHUP, reload: well under a second; generous on a shared 2-core machine. */
const CLOSE_MARGIN_MS = 5_000; // milliseconds

let fabric: EstateFabric;
let snapshots: string;

beforeAll(async () => {
  fabric = await startEstateFabric({ rotation: { leafTtlSeconds: LEAF_TTL_S } });
  snapshots = await mkdtemp(join(tmpdir(), 'estate-leaf-snapshots-'));
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

/** Resolves with the time the connection closed. */
function closedAt(connection: NatsConnection): Promise<number> {
  return connection.closed().then(() => Date.now());
}

describe('a rotating fabric on the pinned broker (L1, L5)', () => {
  it('L1: the renewer issued every leaf with a 30 s lifetime, and the broker admits them (pinned)', async () => {
    const leaves = fabric.renewer!.status().leaves;
    expect(Object.keys(leaves).sort()).toEqual(['admin', 'edge', 'inventory', 'nats', 'orders', 'sts']);
    const orders = await snapshot('orders', 'orders-now');
    expect(new Date(orders.certificate.validTo).getTime() - new Date(orders.certificate.validFrom).getTime()).toBe((LEAF_TTL_S + 3) * 1_000);
    const connection = await connectWith(orders);
    await connection.flush();
    await connection.close();
  });

  it('L5: a client on a leaf is disconnected by the broker when that leaf expires; a client on a current leaf stays connected', async () => {
    const old = await snapshot('orders', 'orders-expiring');
    const expiresAt = new Date(old.certificate.validTo).getTime();
    const holder = await connectWith(old);
    const holderClosed = closedAt(holder);
    // A leaf issued after the old one's renewal outlives it: connect with that one too.
    while (certificateThumbprint((await snapshot('orders', 'orders-probe')).certificate.raw) === certificateThumbprint(old.certificate.raw)) {
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const current = await snapshot('orders', 'orders-current');
    expect(new Date(current.certificate.validTo).getTime()).toBeGreaterThan(expiresAt + 5_000);
    const stayer = await connectWith(current);
    try {
      await holder.flush(); // still admitted while its leaf is valid (superseded but not expired)
      const closed = await holderClosed;
      expect(closed).toBeGreaterThanOrEqual(expiresAt - 1_000); // X.509 whole seconds; clocks read apart
      expect(closed).toBeLessThanOrEqual(expiresAt + CLOSE_MARGIN_MS);
      await stayer.flush();
      expect(stayer.isClosed()).toBe(false);
      expect(fabric.supervisor.logs()).toMatch(/Disconnect \d+ clients? due to pinned certs reload/);
      process.stdout.write(`broker-pins: closed ${closed - expiresAt} ms after the leaf's notAfter\n`);
    } finally {
      await stayer.close();
    }
  }, 90_000);

  it('L5: revoking a leaf closes its connection at once, and it cannot connect again; its successor can', async () => {
    const revoked = await snapshot('edge', 'edge-revoked');
    const holder = await connectWith(revoked);
    const holderClosed = closedAt(holder);
    await holder.flush();
    const revokedAt = Date.now();
    expect(await fabric.renewer!.revoke(certificateThumbprint(revoked.certificate.raw))).toBe(true);
    const closed = await holderClosed;
    expect(closed).toBeLessThanOrEqual(revokedAt + CLOSE_MARGIN_MS);
    process.stdout.write(`broker-pins: closed ${closed - revokedAt} ms after revoke()\n`);
    await expect(connectWith(revoked).then((connection) => connection.close())).rejects.toThrow();
    const successor = await snapshot('edge', 'edge-successor');
    expect(certificateThumbprint(successor.certificate.raw)).not.toBe(certificateThumbprint(revoked.certificate.raw));
    const connection = await connectWith(successor);
    await connection.flush();
    await connection.close();
  }, 60_000);
});
