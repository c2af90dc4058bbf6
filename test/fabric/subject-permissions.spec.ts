import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Kvm } from '@nats-io/kv';
import { connect, PermissionViolationError, type NatsConnection } from '@nats-io/transport-node';
import { ESTATE_IDENTITIES, EstateSubjects, loadEstateConfig, natsConnectionOptions, type EstateIdentity } from '#estate';
import { startEstateFabric, type EstateFabric } from '../../test-support/estate-fabric.js';
import { liveSubscription, publishRefusal, requestRefusal, subscriptionRefusal } from '../../test-support/permission-violations.js';
import { PROCESS_HOOK_TIMEOUT_MS } from '../../test-support/hook-timeout.js';

// SECURITY.md T3: each identity publishes and subscribes only where permission-table.ts says,
// and the broker itself refuses the rest. Every refusal sits beside the allowed variant.

let fabric: EstateFabric;
const connections = new Map<EstateIdentity, NatsConnection>();

function as(identity: EstateIdentity): NatsConnection {
  const connection = connections.get(identity);
  if (connection === undefined) throw new Error(`no connection for ${identity}`);
  return connection;
}

beforeAll(async () => {
  fabric = await startEstateFabric();
  for (const identity of ESTATE_IDENTITIES) {
    connections.set(identity, await connect(natsConnectionOptions(loadEstateConfig(fabric.env(), identity))));
  }
}, PROCESS_HOOK_TIMEOUT_MS);

afterAll(async () => {
  for (const connection of connections.values()) await connection.close();
  await fabric?.stop();
}, PROCESS_HOOK_TIMEOUT_MS);

function expectViolation(error: PermissionViolationError, operation: 'publish' | 'subscription', subject: string): void {
  expect(error).toBeInstanceOf(PermissionViolationError);
  expect(error.operation).toBe(operation);
  expect(error.subject).toBe(subject);
  expect(error.message).toMatch(/Permissions Violation/);
}

/** A responder in the workload's queue group that echoes the subject it served. */
async function respond(identity: EstateIdentity, subject: string, queue: string): Promise<void> {
  const subscription = await liveSubscription(as(identity), subject, queue);
  void (async () => {
    for await (const message of subscription) message.respond(`${identity} served ${message.subject}`);
  })();
}

describe('T3: subscriptions', () => {
  it('T3: edge cannot subscribe to orders.>', async () => {
    expectViolation(await subscriptionRefusal(as('edge').subscribe('orders.>')), 'subscription', 'orders.>');
  });

  it('T3: no workload can read another workload\'s inbox (edge on _INBOX.orders.>)', async () => {
    expectViolation(await subscriptionRefusal(as('edge').subscribe('_INBOX.orders.>')), 'subscription', '_INBOX.orders.>');
    expectViolation(await subscriptionRefusal(as('inventory').subscribe('_INBOX.>')), 'subscription', '_INBOX.>');
    expectViolation(await subscriptionRefusal(as('orders').subscribe('_INBOX.edge.abc')), 'subscription', '_INBOX.edge.abc');
  });

  it('T3 legitimate: each workload subscribes to its own inbox and to revocations', async () => {
    for (const identity of ['edge', 'sts', 'orders', 'inventory'] as const) {
      const inbox = await liveSubscription(as(identity), `_INBOX.${identity}.probe`);
      const revocations = await liveSubscription(as(identity), EstateSubjects.revocations);
      inbox.unsubscribe();
      revocations.unsubscribe();
    }
  });

  it('T3: a workload serves its own subjects only in its queue group', async () => {
    expectViolation(await subscriptionRefusal(as('orders').subscribe('orders.create')), 'subscription', 'orders.create');
    const elsewhere = await subscriptionRefusal(as('orders').subscribe('orders.create', { queue: 'intruders' }));
    expectViolation(elsewhere, 'subscription', 'orders.create');
    expect(elsewhere.queue).toBe('intruders');
    const served = await liveSubscription(as('orders'), 'orders.create', 'orders');
    served.unsubscribe();
  });

  it('T3: sts serves sts.exchange and sts.jwks only', async () => {
    expectViolation(await subscriptionRefusal(as('sts').subscribe('sts.admin', { queue: 'sts' })), 'subscription', 'sts.admin');
    const exchange = await liveSubscription(as('sts'), EstateSubjects.stsExchange, 'sts');
    exchange.unsubscribe();
  });

  it('T3: orders cannot serve inventory\'s subjects, even in inventory\'s queue group', async () => {
    expectViolation(await subscriptionRefusal(as('orders').subscribe('inventory.reserve', { queue: 'inventory' })), 'subscription', 'inventory.reserve');
  });
});

describe('T3: publications', () => {
  it('T3: inventory cannot publish to orders.create', async () => {
    expectViolation(await publishRefusal(as('inventory'), 'orders.create'), 'publish', 'orders.create');
  });

  it('T3: only admin announces revocations; a workload cannot forge one', async () => {
    expectViolation(await publishRefusal(as('edge'), EstateSubjects.revocations), 'publish', EstateSubjects.revocations);
    const heard = await liveSubscription(as('orders'), EstateSubjects.revocations);
    as('admin').publish(EstateSubjects.revocations, JSON.stringify({ jti: 'abc' }));
    for await (const message of heard) {
      expect(message.json()).toEqual({ jti: 'abc' });
      break;
    }
  });

  it('T3: sts publishes nothing but replies; a responder answers only into the inboxes of those that may call it', async () => {
    expectViolation(await publishRefusal(as('sts'), 'orders.create'), 'publish', 'orders.create');
    // Nobody calls the STS as admin, and the edge never calls inventory: no reply can go there.
    expectViolation(await publishRefusal(as('sts'), '_INBOX.admin.forged'), 'publish', '_INBOX.admin.forged');
    expectViolation(await publishRefusal(as('inventory'), '_INBOX.edge.forged'), 'publish', '_INBOX.edge.forged');
    // A pure caller answers nobody.
    expectViolation(await publishRefusal(as('edge'), '_INBOX.orders.forged'), 'publish', '_INBOX.orders.forged');
  });

  it('T3 legitimate: the call graph works: edge -> sts, edge -> orders, orders -> inventory, inventory -> sts.jwks', async () => {
    await respond('sts', EstateSubjects.stsExchange, 'sts');
    await respond('sts', EstateSubjects.stsJwks, 'sts');
    await respond('orders', 'orders.>', 'orders');
    await respond('inventory', 'inventory.>', 'inventory');
    const calls: Array<[EstateIdentity, string]> = [
      ['edge', EstateSubjects.stsExchange],
      ['edge', 'orders.create'],
      ['orders', EstateSubjects.stsExchange],
      ['orders', 'inventory.reserve'],
      ['inventory', EstateSubjects.stsJwks],
    ];
    for (const [caller, subject] of calls) {
      const reply = await as(caller).request(subject, '', { timeout: 2_000 });
      expect(reply.string()).toMatch(new RegExp(`served ${subject.replace('.', '\\.')}$`));
    }
  });

  it('T3: a request to a subject the caller may not publish to is refused at once, not left to time out', async () => {
    const started = Date.now();
    expectViolation(await requestRefusal(as('edge').request('inventory.reserve', '', { timeout: 5_000 })), 'publish', 'inventory.reserve');
    expect(Date.now() - started).toBeLessThan(2_000);
    expectViolation(await requestRefusal(as('inventory').request(EstateSubjects.stsExchange, '', { timeout: 5_000 })), 'publish', EstateSubjects.stsExchange);
  });
});

describe('T3: JetStream KV, each workload only its own bucket', () => {
  beforeAll(async () => {
    // The operator provisions buckets; workloads may not create streams (see jetstream-subjects.ts).
    const kvm = new Kvm(as('admin'));
    await kvm.create('orders', { history: 1 });
    await kvm.create('edge', { history: 1 });
  });

  it('T3 legitimate: orders claims a key once, reads it back, and the second claim fails', async () => {
    const bucket = await new Kvm(as('orders')).open('orders');
    await bucket.create('replay.jti-1', 'seen');
    await expect(bucket.create('replay.jti-1', 'again')).rejects.toThrow(/wrong last sequence|key exists/i);
    expect((await bucket.get('replay.jti-1'))?.string()).toBe('seen');
    await bucket.put('nonce.key', 'rotated');
    const keys: string[] = [];
    for await (const key of await bucket.keys()) keys.push(key);
    expect(keys.sort()).toEqual(['nonce.key', 'replay.jti-1']);
    const watcher = await bucket.watch({ key: 'revoked.>' });
    await bucket.put('revoked.jti-9', 'yes');
    for await (const entry of watcher) {
      expect(entry.key).toBe('revoked.jti-9');
      break;
    }
    watcher.stop();
  });

  it('T3: edge cannot read or write the orders bucket', async () => {
    const read = new Kvm(as('edge')).open('orders').then((bucket) => bucket.get('replay.jti-1'));
    // open() binds without asking for the stream's info; the read is the first refused request.
    expectViolation(await requestRefusal(read), 'publish', '$JS.API.STREAM.MSG.GET.KV_orders');
    expectViolation(await requestRefusal(as('edge').request('$JS.API.DIRECT.GET.KV_orders.$KV.orders.replay.jti-1', '')), 'publish', '$JS.API.DIRECT.GET.KV_orders.$KV.orders.replay.jti-1');
    expectViolation(await publishRefusal(as('edge'), '$KV.orders.replay.jti-2'), 'publish', '$KV.orders.replay.jti-2');
    const own = await new Kvm(as('edge')).open('edge');
    await own.create('replay.jti-1', 'seen');
  });

  it('T3: a workload cannot create or reconfigure streams, not even its own bucket', async () => {
    // Kvm.create() first asks for the account's JetStream info, which workloads may not read.
    expectViolation(await requestRefusal(new Kvm(as('orders')).create('orders-shadow')), 'publish', '$JS.API.INFO');
    expectViolation(await publishRefusal(as('orders'), '$JS.API.STREAM.UPDATE.KV_orders', '{}'), 'publish', '$JS.API.STREAM.UPDATE.KV_orders');
    expectViolation(await publishRefusal(as('orders'), '$JS.API.STREAM.CREATE.KV_orders', '{}'), 'publish', '$JS.API.STREAM.CREATE.KV_orders');
  });
});
