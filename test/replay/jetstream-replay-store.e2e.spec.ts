import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { BindingConfigError, FailureType, JetStreamReplayStore } from '#binding';
import { sha256Base64url } from '../../libs/binding/src/crypto/digest.js';
import { loadEstateConfig, natsConnectionOptions, type EstateIdentity } from '#estate';
import { provisionReplayBucket } from '../../scripts/nats/provision-replay-bucket.js';
import { startEstateFabric, type EstateFabric } from '../../test-support/estate-fabric.js';
import { PROCESS_HOOK_TIMEOUT_MS } from '../../test-support/hook-timeout.js';

// E17 (and H6) against a real nats-server with mTLS: the JetStream replay store as two replicas
// of a workload use it, each with its own connection, sharing the workload's bucket.

let fabric: EstateFabric;
const connections: NatsConnection[] = [];

async function connectAs(identity: EstateIdentity): Promise<NatsConnection> {
  const connection = await connect(natsConnectionOptions(loadEstateConfig(fabric.env(), identity)));
  connections.push(connection);
  return connection;
}

async function replica(identity: 'edge' | 'orders' | 'sts'): Promise<JetStreamReplayStore> {
  const connection = await connectAs(identity);
  return JetStreamReplayStore.open(await new Kvm(connection).open(identity), { connection });
}

const SCOPE = sha256Base64url('client-jwk');
const jtiHash = (): string => sha256Base64url(randomUUID());

beforeAll(async () => {
  fabric = await startEstateFabric({ provision: false }); // each bucket below is provisioned, or not, by hand
  const admin = await connectAs('admin');
  await provisionReplayBucket(admin, { bucket: 'edge', windowSeconds: 70 });
  // A bucket whose claims live 2 s, to watch the server forget them.
  await provisionReplayBucket(admin, { bucket: 'orders', windowSeconds: 1, clockSkewSeconds: 0 });
}, PROCESS_HOOK_TIMEOUT_MS);

afterAll(async () => {
  for (const connection of connections) await connection.close();
  await fabric?.stop();
}, PROCESS_HOOK_TIMEOUT_MS);

describe('JetStreamReplayStore on a real broker (E17)', () => {
  it('E17: of 100 concurrent claims of one jti from two replicas exactly one wins', async () => {
    const [first, second] = [await replica('edge'), await replica('edge')];
    expect(first.maxTtlSeconds).toBeGreaterThanOrEqual(70);
    const id = jtiHash();
    const claims = Array.from({ length: 100 }, (_, index) => (index % 2 === 0 ? first : second).claim(SCOPE, id, 70));
    const results = await Promise.all(claims);
    expect(results.filter((won) => won)).toHaveLength(1);
    // Distinct jtis, and the same jti under another sender key, are each claimed once.
    await expect(second.claim(SCOPE, jtiHash(), 70)).resolves.toBe(true);
    await expect(first.claim(sha256Base64url('other-jwk'), id, 70)).resolves.toBe(true);
    await expect(first.claim(SCOPE, id, 70)).resolves.toBe(false);
    first.close();
    second.close();
  });

  it('E17: keys that are not base64url are encoded and still claimed once', async () => {
    const store = await replica('edge');
    await expect(store.claim('a.b c', 'ü>*', 70)).resolves.toBe(true);
    await expect(store.claim('a.b c', 'ü>*', 70)).resolves.toBe(false);
    await expect(store.claim('a', 'b c.ü>*', 70)).resolves.toBe(true);
    store.close();
  });

  it('E17: a ttl beyond the bucket max_age is refused; the server forgets a claim only after max_age', async () => {
    const store = await replica('orders');
    expect(store.maxTtlSeconds).toBe(1);
    await expect(store.claim(SCOPE, jtiHash(), 2)).rejects.toBeInstanceOf(BindingConfigError);
    const id = jtiHash();
    const claimedAt = Date.now();
    await expect(store.claim(SCOPE, id, 1)).resolves.toBe(true);
    await expect(store.claim(SCOPE, id, 1)).resolves.toBe(false);
    let again = false;
    while (!again && Date.now() - claimedAt < 8_000) {
      await sleep(250);
      again = await store.claim(SCOPE, id, 1);
      if (!again) expect(Date.now() - claimedAt).toBeLessThan(8_000);
    }
    expect(again).toBe(true);
    expect(Date.now() - claimedAt).toBeGreaterThanOrEqual(2_000);
    store.close();
  });

  it('E17: provisioning again brings an existing bucket to the new window', async () => {
    const admin = await connectAs('admin');
    expect((await provisionReplayBucket(admin, { bucket: 'inventory', windowSeconds: 10 })).ttl).toBe(16_000);
    const widened = await provisionReplayBucket(admin, { bucket: 'inventory', windowSeconds: 70, maxBytes: 8 * 1024 * 1024 });
    expect(widened).toMatchObject({ ttl: 76_000, max_bytes: 8 * 1024 * 1024, history: 1 });
    await expect(provisionReplayBucket(admin, { bucket: 'inventory', windowSeconds: 0 })).rejects.toBeInstanceOf(TypeError);
  });

  it('E17: a bucket the operator has not provisioned stops the replica at start-up', async () => {
    await expect(replica('sts')).rejects.toThrow(/provision/);
    await expect(replica('sts')).rejects.toBeInstanceOf(BindingConfigError);
  });

  it('E17: a closed connection is refused at once, never accepted', async () => {
    const connection = await connectAs('edge');
    const store = await JetStreamReplayStore.open(await new Kvm(connection).open('edge'), { connection });
    await connection.close();
    await expect(store.claim(SCOPE, jtiHash(), 70)).rejects.toMatchObject({ type: FailureType.ReplayStoreUnavailable, code: 'temporarily_unavailable' });
  });
});
