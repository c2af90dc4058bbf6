import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { MemoryRevocationList, startRevocationFeed, type RevocationFeed } from '#binding';
import type { RevocationApplied } from '../../libs/binding/src/observe/binding-observer.js';
import { EstateStreams, EstateSubjects, loadEstateConfig, natsConnectionOptions, type EstateIdentity } from '#estate';
import { provisionEstateJetStream } from '../../scripts/nats/provision-jetstream.js';
import { announceRevocation } from '../../scripts/nats/publish-revocation.js';
import { startEstateFabric, type EstateFabric } from '../../test-support/estate-fabric.js';
import { publishRefusal, requestRefusal } from '../../test-support/permission-violations.js';
import { PROCESS_HOOK_TIMEOUT_MS } from '../../test-support/hook-timeout.js';

// H12: revocations announced by the operator reach every service within a second, and a service
// that starts later replays those in force from the REVOCATIONS stream. T3 beside it: only the
// operator announces, and workloads read the stream without being able to change it.

let fabric: EstateFabric;
const connections: NatsConnection[] = [];
const feeds: RevocationFeed[] = [];

async function as(identity: EstateIdentity): Promise<NatsConnection> {
  const connection = await connect(natsConnectionOptions(loadEstateConfig(fabric.env(), identity)));
  connections.push(connection);
  return connection;
}

async function feedFor(identity: EstateIdentity): Promise<{ list: MemoryRevocationList; feed: RevocationFeed }> {
  const list = new MemoryRevocationList();
  const feed = await startRevocationFeed({ connection: await as(identity), list, subject: EstateSubjects.revocations, stream: EstateStreams.revocations });
  feeds.push(feed);
  return { list, feed };
}

async function within(ms: number, condition: () => boolean): Promise<number> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > ms) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return Date.now() - started;
}

beforeAll(async () => {
  fabric = await startEstateFabric({ provision: false }); // the first test needs it unprovisioned
}, PROCESS_HOOK_TIMEOUT_MS);

afterAll(async () => {
  for (const feed of feeds) await feed.close();
  for (const connection of connections) await connection.close();
  await fabric?.stop();
}, PROCESS_HOOK_TIMEOUT_MS);

describe('revocation feed (H12)', () => {
  it('H12: a service refuses to start while the REVOCATIONS stream is not provisioned (fail closed)', async () => {
    const list = new MemoryRevocationList();
    await expect(startRevocationFeed({ connection: await as('orders'), list, subject: EstateSubjects.revocations, stream: EstateStreams.revocations }))
      .rejects.toThrow(/REVOCATIONS does not exist/);
  });

  it('provisioning as admin is idempotent', async () => {
    const admin = await as('admin');
    await provisionEstateJetStream(admin);
    await expect(provisionEstateJetStream(admin)).resolves.toMatchObject({ revocationStream: 'REVOCATIONS', stateBuckets: ['orders-state', 'inventory-state'] });
  });

  it('H12: an announcement is applied by every listening service within a second', async () => {
    const services = await Promise.all((['sts', 'orders', 'inventory'] as const).map((identity) => feedFor(identity)));
    const admin = await as('admin');
    await announceRevocation(admin, { kind: 'sub', value: 'user-live', ttlSeconds: 60 });
    const elapsed = await within(1_000, () => services.every(({ list }) => list.isRevoked({ subject: 'user-live' })));
    expect(elapsed).toBeLessThan(1_000);
    expect(services[0]!.list.isRevoked({ subject: 'user-other' })).toBe(false);
  });

  it('O1: the feed tells its observer of each event put in force, live and replayed, with its publish time (published_at, else the stream\'s)', async () => {
    const admin = await as('admin');
    // Before the feed starts: one as the operator publishes it (with published_at), one bare (no published_at).
    const before = Date.now();
    await announceRevocation(admin, { kind: 'jti', value: 'observed-replayed', ttlSeconds: 60 });
    await admin.publish(EstateSubjects.revocations, JSON.stringify({ kind: 'jti', value: 'observed-bare', until: Math.floor(Date.now() / 1000) + 60 }));
    await admin.flush();
    const seen: RevocationApplied[] = [];
    const list = new MemoryRevocationList();
    feeds.push(await startRevocationFeed({ connection: await as('orders'), list, subject: EstateSubjects.revocations, stream: EstateStreams.revocations, observer: { applied: (event) => seen.push(event) } }));
    const replayed = seen.filter((event) => event.source === 'stream');
    // Every event of the stream so far (earlier tests' too) was replayed; the two above among them.
    expect(replayed.length).toBeGreaterThanOrEqual(2);
    for (const event of replayed) {
      expect(event.publishedAtMs).toEqual(expect.any(Number));
      expect(event.appliedAtMs).toBeGreaterThanOrEqual(event.publishedAtMs! - 5_000); // clocks of one machine
    }
    expect(replayed.at(-1)).toMatchObject({ kind: 'jti' });
    expect(replayed.at(-1)!.publishedAtMs).toBeGreaterThanOrEqual(before - 1_000); // the bare one: the stream's stored time
    // Live: the operator's publish, heard once, its published_at before it was applied.
    seen.length = 0;
    await announceRevocation(admin, { kind: 'sub', value: 'observed-live', ttlSeconds: 60 });
    await within(1_000, () => seen.some((event) => event.source === 'live'));
    const live = seen.find((event) => event.source === 'live')!;
    expect(live).toMatchObject({ kind: 'sub', source: 'live', publishedAtMs: expect.any(Number), appliedAtMs: expect.any(Number) });
    expect(live.appliedAtMs).toBeGreaterThanOrEqual(live.publishedAtMs!);
    expect(list.isRevoked({ subject: 'observed-live' })).toBe(true);
  });

  it('H12: a service that starts later learns the revocations in force, and not the lapsed ones', async () => {
    const admin = await as('admin');
    await announceRevocation(admin, { kind: 'jti', value: 'token-before-start', ttlSeconds: 60 });
    await announceRevocation(admin, { kind: 'cert', value: 'A'.repeat(43), ttlSeconds: 60 });
    await announceRevocation(admin, { kind: 'sub', value: 'user-lapsed', ttlSeconds: 1 }, Math.floor(Date.now() / 1000) - 10);
    const { list } = await feedFor('inventory');
    expect(list.isRevoked({ tokenId: 'token-before-start' })).toBe(true);
    expect(list.isRevoked({ certificateThumbprint: 'A'.repeat(43) })).toBe(true);
    expect(list.isRevoked({ subject: 'user-live' })).toBe(true);
    expect(list.isRevoked({ subject: 'user-lapsed' })).toBe(false);
  });

  it('H12: revocations persist across a broker restart', async () => {
    await fabric.supervisor.restart();
    const { list } = await feedFor('sts');
    expect(list.isRevoked({ tokenId: 'token-before-start' })).toBe(true);
  });

  it('H12: a malformed announcement is reported and changes nothing', async () => {
    const problems: string[] = [];
    const list = new MemoryRevocationList();
    feeds.push(await startRevocationFeed({
      connection: await as('orders'), list, subject: EstateSubjects.revocations, stream: EstateStreams.revocations,
      onProblem: (problem) => problems.push(problem.kind),
    }));
    (await as('admin')).publish(EstateSubjects.revocations, '{"kind":"sub"}');
    await within(1_000, () => problems.length > 0);
    expect(problems).toEqual(['malformed_event']);
  });

  it('T3: the edge reads the stream (it refuses revoked tokens at the door) but cannot announce, purge or delete', async () => {
    const edge = await as('edge');
    const info = JSON.parse(new TextDecoder().decode((await edge.request(`$JS.API.STREAM.INFO.${EstateStreams.revocations}`, '')).data)) as Record<string, unknown>;
    expect(info['config']).toMatchObject({ name: EstateStreams.revocations });
    expect((await publishRefusal(edge, EstateSubjects.revocations)).operation).toBe('publish');
    expect((await requestRefusal(edge.request(`$JS.API.STREAM.PURGE.${EstateStreams.revocations}`, '{}'))).operation).toBe('publish');
    expect((await requestRefusal(edge.request(`$JS.API.STREAM.DELETE.${EstateStreams.revocations}`, '{}'))).operation).toBe('publish');
  });

  it('T3: a workload cannot announce, nor write, purge or delete the stream', async () => {
    const orders = await as('orders');
    expect((await publishRefusal(orders, EstateSubjects.revocations)).operation).toBe('publish');
    expect((await requestRefusal(orders.request(`$JS.API.STREAM.PURGE.${EstateStreams.revocations}`, '{}'))).operation).toBe('publish');
    expect((await requestRefusal(orders.request(`$JS.API.STREAM.DELETE.${EstateStreams.revocations}`, '{}'))).operation).toBe('publish');
    expect((await requestRefusal(orders.request(`$JS.API.STREAM.MSG.DELETE.${EstateStreams.revocations}`, '{"seq":1}'))).operation).toBe('publish');
    expect((await requestRefusal(orders.request(`$JS.API.CONSUMER.CREATE.${EstateStreams.revocations}`, '{}'))).operation).toBe('publish');
  });
});
