import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { loadEstateConfig, natsConnectionOptions } from '#estate';
import { certificateThumbprint } from '../../certs/spki-pin.js';
import { announceRevocation } from '../../scripts/nats/publish-revocation.js';
import { startEstateFabric, TEST_CONNECT_TIMEOUT_MS, type EstateFabric } from '../../test-support/estate-fabric.js';
import { PROCESS_HOOK_TIMEOUT_MS } from '../../test-support/hook-timeout.js';
import { snapshotLeaf, type LeafSnapshot } from './leaf-snapshot.js';

// SECURITY.md L5 and H12 at the broker: a certificate revoked on `estate.revocations` (as
// `npm run revoke` announces it) is refused by nats-server itself, not only by the hop checks.
// The fabric's operator connection hears the announcement (scripts/nats/broker-revocations.ts),
// the renewer drops the leaf's pin, the broker reloads and closes the connection. Real
// nats-server, real renewer, real announcement through JetStream; no mocks.

const LEAF_TTL_S = 600; // seconds: long enough that no renewal happens during the test
/** Announcement, feed, pins write, SIGHUP, reload: well under a second; generous on a shared 2-core machine. */
const CLOSE_MARGIN_MS = 5_000; // milliseconds

let fabric: EstateFabric;
let admin: NatsConnection;
let copies: string;

beforeAll(async () => {
  fabric = await startEstateFabric({ rotation: { leafTtlSeconds: LEAF_TTL_S } });
  admin = await connect(natsConnectionOptions(loadEstateConfig(fabric.env(), 'admin')));
  copies = await mkdtemp(join(tmpdir(), 'estate-revoked-leaf-'));
}, PROCESS_HOOK_TIMEOUT_MS);

afterAll(async () => {
  await admin?.close();
  await fabric?.stop();
  if (copies !== undefined) await rm(copies, { recursive: true, force: true });
}, PROCESS_HOOK_TIMEOUT_MS);

/** The identity's leaf as it is now, copied away so a re-issue leaves it as it was. */
async function copyOfLeaf(identity: string): Promise<LeafSnapshot & { thumbprint: string }> {
  const leaf = await snapshotLeaf(fabric.files(identity), copies, identity);
  return { ...leaf, thumbprint: certificateThumbprint(leaf.certificate.raw) };
}

function connectWith(files: { certFile: string; keyFile: string; caFile: string }): Promise<NatsConnection> {
  return connect({ servers: fabric.url, tls: { certFile: files.certFile, keyFile: files.keyFile, caFile: files.caFile }, timeout: TEST_CONNECT_TIMEOUT_MS, reconnect: false });
}

describe('certificate revocation at the broker (L5, H12)', () => {
  it('L5: a certificate announced revoked on estate.revocations is disconnected by the broker and refused afterwards; others stay', async () => {
    const revoked = await copyOfLeaf('inventory');
    const holder = await connectWith(revoked);
    const closed = holder.closed().then(() => Date.now());
    const bystander = await connect(natsConnectionOptions(loadEstateConfig(fabric.env(), 'orders')));
    await holder.flush();

    const announcedAt = Date.now();
    await announceRevocation(admin, { kind: 'cert', value: revoked.thumbprint, ttlSeconds: 600 });

    expect(await closed).toBeLessThanOrEqual(announcedAt + CLOSE_MARGIN_MS);
    await expect(connectWith(revoked).then((connection) => connection.close())).rejects.toThrow();
    // Another workload's connection is not touched.
    await bystander.flush();
    expect(bystander.isClosed()).toBe(false);
    await bystander.close();
  }, 60_000);

  it('L5 (legitimate variant): a jti or sub revocation, and a thumbprint the estate never issued, close nothing', async () => {
    const holder = await connect(natsConnectionOptions(loadEstateConfig(fabric.env(), 'edge')));
    const pinsBefore = fabric.renewer!.status().pins;
    await announceRevocation(admin, { kind: 'jti', value: 'some-token-id', ttlSeconds: 60 });
    await announceRevocation(admin, { kind: 'sub', value: 'some-user', ttlSeconds: 60 });
    await announceRevocation(admin, { kind: 'cert', value: 'A'.repeat(43), ttlSeconds: 60 });
    // An announcement after them, heard by a subscriber of our own: the feed has seen the three.
    await admin.flush();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await holder.flush();
    expect(holder.isClosed()).toBe(false);
    expect(fabric.renewer!.status().pins).toEqual(pinsBefore);
    await holder.close();
  }, 60_000);
});
