import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect, type NatsConnection, type TlsOptions } from '@nats-io/transport-node';
import { ESTATE_IDENTITIES, EstateSubjects, loadEstateConfig, natsConnectionOptions, type EstateIdentity } from '#estate';
import { PINNED_NATS_SERVER_VERSION } from '../../scripts/nats/nats-server-release.js';
import { startEstateFabric, TEST_CONNECT_TIMEOUT_MS, type EstateFabric } from '../../test-support/estate-fabric.js';
import { liveSubscription, subscriptionRefusal } from '../../test-support/permission-violations.js';
import { rawNatsConnect, type RawNatsSession } from './support/raw-nats.js';
import { PROCESS_HOOK_TIMEOUT_MS } from '../../test-support/hook-timeout.js';

// SECURITY.md T5: the broker is the pinned release, speaks TLS 1.3 only, and refuses the
// permission-bypass classes the nats-io advisories name for older releases (2.9.10 among them):
// a subscription whose wildcard overlaps a forbidden subject, and a queue subscription to a
// forbidden subject. Subjects come from permission-table.ts: orders may subscribe to
// `orders.>` (queue `orders` only), `_INBOX.orders.>` and `estate.revocations`.

let fabric: EstateFabric;
const connections = new Map<EstateIdentity, NatsConnection>();
const raws: RawNatsSession[] = [];

function as(identity: EstateIdentity): NatsConnection {
  const connection = connections.get(identity);
  if (connection === undefined) throw new Error(`no connection for ${identity}`);
  return connection;
}

async function raw(identity: EstateIdentity): Promise<RawNatsSession> {
  const session = await rawNatsConnect(fabric.url, fabric.files(identity));
  raws.push(session);
  return session;
}

beforeAll(async () => {
  fabric = await startEstateFabric();
  for (const identity of ESTATE_IDENTITIES) {
    connections.set(identity, await connect(natsConnectionOptions(loadEstateConfig(fabric.env(), identity))));
  }
}, PROCESS_HOOK_TIMEOUT_MS);

afterAll(async () => {
  for (const session of raws) session.close();
  for (const connection of connections.values()) await connection.close();
  await fabric?.stop();
}, PROCESS_HOOK_TIMEOUT_MS);

/** The -ERR line nats-server sends for a refused subscription (server/client.go). */
function subscriptionViolation(subject: string, queue?: string): RegExp {
  const quoted = (value: string): string => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`-ERR 'Permissions Violation for Subscription to "${quoted(subject)}"${queue === undefined ? '' : ` using queue "${quoted(queue)}"`}'`);
}

/** Publishes from allowed publishers to subjects a wildcard would match, and waits until routed. */
async function publishToMatches(): Promise<void> {
  as('edge').publish('orders.create', 'for orders');
  as('orders').publish('inventory.create', 'for inventory');
  as('orders').publish('inventory.reserve', 'for inventory');
  as('admin').publish(EstateSubjects.revocations, '{}');
  await Promise.all([as('edge').flush(), as('orders').flush(), as('admin').flush()]);
}

describe('T5: the pinned release', () => {
  it(`T5: the broker the scripts start is nats-server v${PINNED_NATS_SERVER_VERSION}`, () => {
    expect(fabric.supervisor.version).toBe(PINNED_NATS_SERVER_VERSION);
    expect(fabric.supervisor.logs()).toContain(`Version:  ${PINNED_NATS_SERVER_VERSION}`);
    expect(as('admin').info?.version).toBe(PINNED_NATS_SERVER_VERSION);
  });
});

describe('T5: client TLS is 1.3 only', () => {
  it('T5: a client that offers at most TLS 1.2 is refused in the handshake', async () => {
    const tls12 = { ...fabric.files('edge'), maxVersion: 'TLSv1.2' } as TlsOptions;
    await expect(connect({ servers: fabric.url, tls: tls12, timeout: TEST_CONNECT_TIMEOUT_MS, reconnect: false })).rejects.toThrow();
    await expect(rawNatsConnect(fabric.url, { ...fabric.files('edge'), maxVersion: 'TLSv1.2' })).rejects.toThrow(/protocol version|alert/i);
    expect(fabric.supervisor.logs()).toMatch(/TLS handshake error: tls: client offered only unsupported versions/);
  });

  it('T5 legitimate: an estate client negotiates TLS 1.3', async () => {
    const session = await raw('edge');
    expect(session.protocol).toBe('TLSv1.3');
  });
});

describe('T5: wildcard subscriptions that overlap a forbidden subject are refused', () => {
  it.each([
    ['*.create', 'orders.create is allowed, inventory.create is not'],
    ['>', 'everything'],
    ['*.>', 'every subject with two tokens or more'],
    ['estate.>', 'estate.revocations is allowed, the rest of estate. is not'],
    ['_INBOX.*.>', 'its own inbox and every other identity\'s'],
  ])('T5: orders subscribing %s (%s) is refused by the server and receives nothing', async (subject) => {
    const session = await raw('orders');
    expect(await session.exchange([`SUB ${subject} 1`])).toMatch(subscriptionViolation(subject));
    await publishToMatches();
    expect(await session.exchange([])).not.toContain('MSG ');
  });

  it('T5: through nats.js the same subscription is closed with a permissions violation', async () => {
    const refusal = await subscriptionRefusal(as('orders').subscribe('*.create'));
    expect(refusal.operation).toBe('subscription');
    expect(refusal.subject).toBe('*.create');
  });

  it('T5 legitimate: wildcards inside what is allowed still work and receive', async () => {
    const session = await raw('orders');
    const answer = await session.exchange(['SUB orders.* orders 1', 'SUB _INBOX.orders.* 2', `SUB ${EstateSubjects.revocations} 3`]);
    expect(answer).not.toContain('-ERR');
    await publishToMatches();
    const received = await session.exchange([]);
    expect(received).toContain('MSG orders.create 1');
    expect(received).toContain(`MSG ${EstateSubjects.revocations} 3`);
    expect(received).not.toMatch(/MSG inventory\./);
  });
});

describe('T5: queue subscriptions to a forbidden subject are refused', () => {
  it.each([
    ['inventory.reserve', 'orders', 'another workload\'s subject in its own group'],
    ['*.reserve', 'orders', 'a wildcard overlapping another workload\'s subjects'],
    ['>', 'orders', 'everything'],
    ['_INBOX.edge.>', 'orders', 'another identity\'s inbox'],
    ['orders.create', 'inventory', 'its own subject in another group'],
  ])('T5: orders queue-subscribing %s in queue %s (%s) is refused and receives nothing', async (subject, queue) => {
    const session = await raw('orders');
    expect(await session.exchange([`SUB ${subject} ${queue} 1`])).toMatch(subscriptionViolation(subject, queue));
    await publishToMatches();
    expect(await session.exchange([])).not.toContain('MSG ');
  });

  it('T5 legitimate: orders serves orders.> in its own queue group', async () => {
    const served = await liveSubscription(as('orders'), 'orders.>', 'orders');
    const session = await raw('orders');
    expect(await session.exchange(['SUB orders.> orders 1'])).not.toContain('-ERR');
    served.unsubscribe();
  });
});
