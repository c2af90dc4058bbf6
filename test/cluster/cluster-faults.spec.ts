import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { NatsConnection } from '@nats-io/transport-node';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createCertificateAuthority, issueCertificate } from '../../certs/pki.js';
import { ROUTE_SPIFFE_ID } from '../../certs/estate-leaves.js';
import { startNatsServer, type NatsSupervisor } from '../../scripts/nats/supervisor.js';
import { announceRevocation } from '../../scripts/nats/publish-revocation.js';
import { provisionEstateJetStream } from '../../scripts/nats/provision-jetstream.js';
import { DpopClient } from '../../libs/binding/test-support/dpop-proofs.js';
import { PROCESS_HOOK_TIMEOUT_MS } from '../../test-support/hook-timeout.js';
import { freePort } from '../../test-support/free-port.js';
import { ClusterEstate, eventually, OUTBOUND_TIMEOUT_MS } from './support/cluster-estate.js';
import { orderLedger, OrderTraffic, recoveryMs } from './support/order-traffic.js';
import { writeFaultFigures } from './support/fault-figures.js';
import { ElectionWatch, raftLeaders } from './support/raft-leaders.js';
import { DEFAULT_REPLAY_CLAIM_TIMEOUT_MS } from '../../libs/binding/src/replay/jetstream-replay-store.js';
import { EstateStreams, STATE_BUCKET_TIMEOUT_MS } from '#estate';

// Issue 11, faults under load on one shared three-node cluster (JetStream at R3) with two replicas
// of every service as real processes. The tests run in order and each leaves the estate whole.

/** SECURITY.md S2 as issue 11 asks it: clients served again within this after a node is lost. Recorded, see below. */
const SERVED_AGAIN_MS = 5_000; // milliseconds
/**
 * What can be guaranteed instead. A raft group whose leader was SIGKILLed has none until one of
 * its two followers' election timers fires: nats-server 2.15 draws it from 4-9 s after the last
 * heartbeat (server/raft.go minElectionTimeout and maxElectionTimeout, package constants, no
 * configuration), and a follower still applying committed entries waits another 1 s per try.
 * Measured from the kill: 3.6-7.9 s per group, twice 11-14 s under load. Every order writes to six
 * groups (the edge, sts, orders and inventory replay buckets, both state buckets); the test kills
 * the orders state bucket's leader, so that group is always among those waited for, and it alone
 * took 4.2-11.2 s: no layout of the replay buckets brings this under 5 s. The estate's own share
 * is bounded instead: served again at most one store timeout (a replay claim's, a state write's:
 * 1 s each) and a margin after the last group the order path needs has a leader again. A request
 * sent into a group without a leader is not refused by nats-server: it waits out its timeout.
 */
const ESTATE_SHARE_MS = Math.max(DEFAULT_REPLAY_CLAIM_TIMEOUT_MS, STATE_BUCKET_TIMEOUT_MS) + 2_000; // milliseconds
/** The order path's raft groups: every replay bucket and both state buckets (provision-jetstream.ts). */
const ORDER_PATH_GROUPS = ['KV_edge', 'KV_sts', 'KV_orders', 'KV_inventory', 'KV_orders-state', 'KV_inventory-state'];
/** The later tests' wait for a group's new leader: two election rounds (a failed campaign, a follower still applying), the heartbeat, a request's timeout, a margin. */
const RAFT_FAILOVER_BOUND_MS = 9_000 + 9_000 + 1_000 + OUTBOUND_TIMEOUT_MS + 2_000; // milliseconds
const WORKERS = 6;
const LOAD_BEFORE_MS = 2_000; // milliseconds of orders before the fault
const LOAD_AFTER_MS = 20_000; // milliseconds of orders after it: room for a slow election (14 s seen) and a request timeout
/** A request answered later than the outbound bound and a margin has hung. */
const NO_HANG_MS = OUTBOUND_TIMEOUT_MS + 2_000; // milliseconds
const REJOIN_MS = 30_000; // milliseconds for a restarted node to be current on every asset

let estate: ClusterEstate;
let admin: NatsConnection;
let thief: DpopClient;
const figures: Record<string, unknown> = {};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  estate = await ClusterEstate.start();
  admin = await estate.connectAs('admin');
  thief = await DpopClient.create();
}, PROCESS_HOOK_TIMEOUT_MS);

afterAll(async () => {
  await writeFaultFigures(figures).catch(() => undefined);
  await admin?.close();
  await estate?.stop();
}, PROCESS_HOOK_TIMEOUT_MS);

/** What node 1 reports of its routes on its monitoring port: the names of the servers routed to. */
async function routedServers(): Promise<string[]> {
  const routez = (await (await fetch(`${estate.fabric.cluster!.monitoringUrl(1)}/routez`)).json()) as { routes?: { remote_name?: string }[] };
  return [...new Set((routez.routes ?? []).map((route) => route.remote_name ?? ''))].sort();
}

/**
 * A fourth node that tries to join with `route`: its client side is an ordinary estate broker (so
 * the supervisor's probe passes), its cluster side presents the given route certificate and trusts
 * both the estate CA and `extraCa`, so any refusal comes from the estate's nodes.
 */
async function intruder(name: string, route: { certificatePem: string; privateKeyPem: string }, extraCaPem: string): Promise<NatsSupervisor> {
  const dir = estate.fabric.certsDir;
  await writeFile(join(dir, `${name}.crt`), route.certificatePem);
  await writeFile(join(dir, `${name}.key`), route.privateKeyPem, { mode: 0o600 });
  await writeFile(join(dir, `${name}-ca.crt`), `${extraCaPem}${estate.fabric.ca.certificatePem}`);
  const cluster = estate.fabric.cluster!;
  return startNatsServer({
    tls: estate.fabric.files('nats'),
    probe: estate.fabric.files('admin'),
    serverName: name,
    cluster: { name: cluster.name, host: '127.0.0.1', port: await freePort(), routes: cluster.routeUrls, tls: { certFile: join(dir, `${name}.crt`), keyFile: join(dir, `${name}.key`), caFile: join(dir, `${name}-ca.crt`) }, routeUser: ROUTE_SPIFFE_ID },
  });
}

describe('T6: cluster routes', () => {
  const ROUTE_ATTEMPT_MS = 3_000; // milliseconds: routes are solicited at once and retried every second

  it('T6: the three nodes are routed to each other over mutual TLS', async () => {
    await eventually(10_000, async () => (await routedServers()).join() === 'estate-2,estate-3');
  });

  it('T6: a node whose route certificate comes from another CA is refused', async () => {
    const foreign = await createCertificateAuthority({ commonName: 'foreign CA', validityDays: 1 });
    const node = await intruder('rogue-ca', await issueCertificate(foreign, { commonName: 'rogue', usage: 'route', spiffeId: ROUTE_SPIFFE_ID }), foreign.certificatePem);
    try {
      await sleep(ROUTE_ATTEMPT_MS);
      expect(await routedServers()).toEqual(['estate-2', 'estate-3']);
      // Go's TLS client offers only a certificate issued by a CA the node asks for (the estate's):
      // the intruder has none to offer, and a route without a client certificate is refused.
      expect(estate.fabric.cluster!.node(1).logs()).toMatch(/TLS route handshake error: (tls: client didn't provide a certificate|.*unknown authority|.*failed to verify)/);
    } finally {
      await node.stop();
    }
  }, 60_000);

  it('T6: a node with an estate certificate that is not the route identity (a workload\'s SPIFFE ID) is refused', async () => {
    const stolen = await issueCertificate(estate.fabric.ca, { commonName: 'orders', usage: 'route', spiffeId: 'spiffe://estate.local/orders' });
    const node = await intruder('rogue-identity', stolen, '');
    try {
      await sleep(ROUTE_ATTEMPT_MS);
      expect(await routedServers()).toEqual(['estate-2', 'estate-3']);
      // The handshake passes (estate CA), the route identity does not: isRouterAuthorized refuses it.
      expect(estate.fabric.cluster!.node(1).logs()).toMatch(/authentication error/);
    } finally {
      await node.stop();
    }
  }, 60_000);
});

describe('S1-S3: the estate on a three-node cluster', () => {
  it('S1: every asset is R3; provisioning again is idempotent and brings an R1 asset to R3 in place', async () => {
    await eventually(REJOIN_MS, () => estate.replicationSettled(admin));
    await provisionEstateJetStream(admin, { replicas: 1 });
    await eventually(REJOIN_MS, () => estate.replicationSettled(admin, 1));
    expect((await provisionEstateJetStream(admin)).replicas).toBe(3);
    await eventually(REJOIN_MS, () => estate.replicationSettled(admin));
  }, 90_000);

  it('S2: a node SIGKILLed while orders flow: 0 wrongly accepted, 0 lost or duplicated; its clients on another node within 5 s, orders again at most a store timeout after nats-server re-elected the groups the order path needs (raft: 4-9 s and more, not the 5 s asked); restarted, it rejoins and catches up', async () => {
    // The worst case on the order path: the node leading the orders state bucket.
    const victim = await estate.leaderOf(admin, 'KV_orders-state');
    const cluster = estate.fabric.cluster!;
    const victimName = `${cluster.name}-${victim}`;
    const observer = victim === 1 ? 2 : 1;
    const led = Object.entries(await raftLeaders(estate, observer)).filter(([, leader]) => leader === victimName).map(([group]) => group).sort();
    const watcher = await estate.connectAs('admin', [cluster.node(victim).url, ...estate.fabric.urls]);
    const reconnected = (async () => {
      for await (const status of watcher.status()) if (status.type === 'reconnect') return Date.now();
      return Number.POSITIVE_INFINITY;
    })();
    const traffic = new OrderTraffic(estate, thief, WORKERS, () => estate.edges, 's2');
    await sleep(LOAD_BEFORE_MS);
    await cluster.node(victim).kill();
    const killedAt = Date.now();
    const elections = new ElectionWatch(estate, observer, victimName, led, killedAt, LOAD_AFTER_MS);
    await sleep(LOAD_AFTER_MS);
    const outcomes = await traffic.stop();
    const elected = await elections.settled();
    const recovery = recoveryMs(outcomes, killedAt);
    const reconnect = (await reconnected) - killedAt;
    await watcher.close();
    await cluster.node(victim).restart();
    await eventually(REJOIN_MS, () => estate.replicationSettled(admin));
    const ledger = orderLedger(outcomes, await estate.storedOrders());
    const statuses = [...new Set(outcomes.map((outcome) => outcome.answer.status))].sort();
    const pathGroups = led.filter((group) => ORDER_PATH_GROUPS.includes(group));
    const pathElection = Math.max(...pathGroups.map((group) => elected[group] ?? Number.POSITIVE_INFINITY));
    const firstServed = Math.min(...outcomes.filter((o) => o.kind === 'order' && o.sentAt >= killedAt && o.answer.status === 201).map((o) => o.answeredAt - killedAt));
    figures['s2'] = {
      killedNode: victim, victimLed: led, electedSeconds: Object.fromEntries(Object.entries(elected).map(([group, ms]) => [group, ms / 1000])),
      orderPathElectionSeconds: pathElection / 1000, reconnectSeconds: reconnect / 1000, firstServedSeconds: firstServed / 1000, recoverySeconds: recovery / 1000,
      withinFiveSeconds: recovery < SERVED_AGAIN_MS,
      requests: outcomes.length, placed: ledger.placed, failed: outcomes.filter((o) => o.kind === 'order' && o.answer.status !== 201).length,
      lostOrders: ledger.lost.length, duplicatedOrders: ledger.duplicated.length, wronglyAccepted: ledger.wronglyAccepted.length, attacks: ledger.attacks, statuses,
    };
    expect({ lost: ledger.lost, duplicated: ledger.duplicated, wronglyAccepted: ledger.wronglyAccepted }).toEqual({ lost: [], duplicated: [], wronglyAccepted: [] });
    expect(ledger.placed).toBeGreaterThan(WORKERS);
    // Nothing hangs and nothing is a 500: placed, refused, or promptly unavailable.
    expect(statuses.filter((status) => ![201, 401, 503].includes(status))).toEqual([]);
    expect(outcomes.filter((outcome) => outcome.answeredAt - outcome.sentAt >= NO_HANG_MS).map((o) => ({ kind: o.kind, ms: o.answeredAt - o.sentAt }))).toEqual([]);
    // A client on the lost node is on another within 5 s (the transport's share).
    expect(reconnect).toBeLessThan(SERVED_AGAIN_MS);
    // The victim led the orders state bucket, which every order writes; each group it led has a new leader.
    expect(pathGroups).toContain('KV_orders-state');
    expect(led.filter((group) => elected[group] === undefined)).toEqual([]);
    // Orders are placed again once those groups have leaders, and the estate adds at most a store timeout to that.
    expect(recovery).toBeLessThan(pathElection + ESTATE_SHARE_MS);
  }, 150_000);

  it('S1: a proof accepted just before a node is lost is refused as a replay after it, on every replica', async () => {
    const victim = await estate.leaderOf(admin, 'KV_edge');
    const headers = await estate.request('GET', '/v1/me');
    expect((await estate.send(estate.edges[0]!, 'GET', '/v1/me', headers)).status).toBe(200);
    await estate.fabric.cluster!.node(victim).kill();
    const killedAt = Date.now();
    // The bucket elects a new leader among the two copies left; the claim must be on it.
    await eventually(RAFT_FAILOVER_BOUND_MS, async () => (await estate.leaderOf(admin, 'KV_edge').catch(() => victim)) !== victim, 200);
    figures['s1'] = { killedNode: victim, newLeaderAfterSeconds: (Date.now() - killedAt) / 1000 };
    for (const edge of estate.edges) {
      let answer = await estate.send(edge, 'GET', '/v1/me', headers);
      // Until the edge's store reaches the new leader it fails closed (503), never open.
      await eventually(RAFT_FAILOVER_BOUND_MS, async () => (answer = await estate.send(edge, 'GET', '/v1/me', headers)).status !== 503, 200);
      expect({ status: answer.status, error: answer.body['error'] }).toEqual({ status: 401, error: 'invalid_dpop_proof' });
    }
    for (const edge of estate.edges) {
      await eventually(RAFT_FAILOVER_BOUND_MS, async () => (await estate.send(edge, 'GET', '/v1/me', await estate.request('GET', '/v1/me'))).status === 200, 200);
    }
  }, 60_000);

  it('S1, H12: a revocation published while a node is down applies on every replica, and a replica started afterwards knows it', async () => {
    // The node killed in the previous test is still down.
    expect(estate.fabric.cluster!.nodes.filter((node) => !node.running)).toHaveLength(1);
    const order = (edge: (typeof estate.edges)[number], sub: string) => estate.request('POST', '/v1/orders', { sub }).then((headers) => estate.send(edge, 'POST', '/v1/orders', headers, { sku: `revoked-${Date.now()}`, quantity: 1 }));
    // Every asset has a leader again (the previous test's node is down, its raft groups moved on).
    for (const edge of estate.edges) await eventually(RAFT_FAILOVER_BOUND_MS, async () => (await order(edge, 'user-revoked')).status === 201, 200);
    // The operator's publish needs the REVOCATIONS stream's own leader, which is not on the order
    // path: if the lost node led it, its election may still run (4-9 s, longer under load), and a
    // publish then times out (a prompt, explicit failure the operator would retry).
    const lost = estate.fabric.cluster!.nodes.findIndex((node) => !node.running) + 1;
    await eventually(RAFT_FAILOVER_BOUND_MS, async () => (await estate.leaderOf(admin, EstateStreams.revocations).catch(() => lost)) !== lost, 200);
    await announceRevocation(admin, { kind: 'sub', value: 'user-revoked', ttlSeconds: 600 });
    for (const edge of estate.edges) {
      await eventually(2_000, async () => (await order(edge, 'user-revoked')).status === 401);
      expect((await order(edge, 'user-other')).status).toBe(201);
    }
    const late = await estate.startEdge();
    estate.edges.push(late);
    expect((await order(late, 'user-revoked')).body).toMatchObject({ error: 'invalid_token' });
    expect((await order(late, 'user-other')).status).toBe(201);
    // The lost node comes back and catches up: the revocation is on it too (REVOCATIONS current, no lag).
    const down = estate.fabric.cluster!.nodes.find((node) => !node.running)!;
    await down.restart();
    await eventually(REJOIN_MS, () => estate.replicationSettled(admin));
    await late.stop();
    estate.edges.pop();
  }, 90_000);

  it('S3: one replica of each service killed under load: requests in flight fail fast (503) or complete, the other replicas serve the rest', async () => {
    const [survivor, doomed] = estate.edges as [NonNullable<(typeof estate.edges)[0]>, NonNullable<(typeof estate.edges)[0]>];
    let edges = [survivor, doomed];
    const traffic = new OrderTraffic(estate, thief, WORKERS, () => edges, 's3');
    await sleep(LOAD_BEFORE_MS);
    for (const group of Object.values(estate.services)) group[1]!.killNow();
    doomed.killNow();
    const killedAt = Date.now();
    await sleep(200);
    edges = [survivor]; // the load balancer stops sending to the dead replica
    await sleep(LOAD_AFTER_MS);
    const outcomes = await traffic.stop();
    const ledger = orderLedger(outcomes, await estate.storedOrders());
    const recovery = recoveryMs(outcomes, killedAt + 200);
    figures['s3'] = { requests: outcomes.length, placed: ledger.placed, failed: outcomes.filter((o) => o.kind === 'order' && o.answer.status !== 201).length, lostOrders: ledger.lost.length, duplicatedOrders: ledger.duplicated.length, wronglyAccepted: ledger.wronglyAccepted.length, recoverySeconds: recovery / 1000 };
    expect({ lost: ledger.lost, duplicated: ledger.duplicated, wronglyAccepted: ledger.wronglyAccepted }).toEqual({ lost: [], duplicated: [], wronglyAccepted: [] });
    // The dead edge's own requests: reset (0); through the survivor: placed, refused, or 503 within the bound.
    expect(outcomes.filter((o) => ![0, 201, 401, 503].includes(o.answer.status)).map((o) => o.answer.status)).toEqual([]);
    expect(outcomes.filter((o) => o.answeredAt - o.sentAt >= NO_HANG_MS).length).toBe(0);
    const after = outcomes.filter((o) => o.kind === 'order' && o.sentAt >= killedAt + OUTBOUND_TIMEOUT_MS + 200);
    expect(after.length).toBeGreaterThan(0);
    expect(after.filter((o) => o.answer.status !== 201).map((o) => o.answer.status)).toEqual([]);
  }, 120_000);
});

