import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { kvBucketOf, loadEstateConfig, natsConnectionOptions, stateBucketOf, WORKLOADS } from '#estate';
import type { EstateFabric } from '../../test-support/estate-fabric.js';
import type { PreparedRequest } from '../harness/order-requests.js';

/**
 * `npm run soak -- --cluster --kill-nats-node` (issue 11 §6, SECURITY.md S2): while the soak's
 * mix runs on a three-node cluster, the node leading the orders state bucket (the worst case on
 * the order path) is SIGKILLed, left down for DOWN_MS and restarted. The ledger records every
 * order the edge acknowledged (201) and every valid request refused meanwhile; afterwards the
 * state bucket is read back: an acknowledged order missing is lost, more orders stored than order
 * requests sent is a duplicate. `recoverySeconds` runs from the kill to the answer of the first
 * valid request sent after the last one refused (the edge answers 503 while the bucket elects a
 * new leader; a request sent just before that waits out a store timeout, 1 s).
 * `electionSeconds` runs from the kill to when the last of the order path's buckets the node led
 * (the orders state bucket always among them) was first seen with another leader (asked every
 * ELECTION_POLL_MS through the JetStream API as the operator): nats-server's share.
 */
export const DOWN_MS = 10_000; // milliseconds the killed node stays down
const ELECTION_POLL_MS = 200; // milliseconds
const ELECTION_WATCH_MS = 30_000; // milliseconds: far beyond nats-server's 4-9 s election
const STREAM = `KV_${stateBucketOf('orders')}`;
/** The raft groups every order writes to: each workload's replay bucket and both state buckets. */
const ORDER_PATH_STREAMS = [...WORKLOADS.map((workload) => `KV_${kvBucketOf(workload)}`), STREAM, `KV_${stateBucketOf('inventory')}`];

export interface NodeFaultFigures {
  readonly killedNode: string;
  readonly killedAtSeconds: number;
  readonly downSeconds: number;
  readonly ordersAcknowledged: number;
  readonly ordersSent: number;
  readonly lostOrders: number;
  readonly duplicatedOrders: number;
  /** Valid requests (not attacks) answered non-2xx, or not answered, after the kill. */
  readonly failedAfterKill: number;
  /** Of those, the ones sent after the node was started again (it rejoins and catches up). */
  readonly failedAfterRestart: number;
  readonly recoverySeconds: number | null;
  /** The order path's buckets the killed node led (the orders state bucket among them). */
  readonly killedNodeLed: readonly string[];
  /** When the last of them had a leader again (null: not seen within ELECTION_WATCH_MS). */
  readonly electionSeconds: number | null;
  readonly rejoined: boolean;
}

export class NodeFault {
  readonly #fabric: EstateFabric;
  readonly #acknowledged = new Set<string>();
  #sent = 0;
  readonly #sentAt = new WeakMap<PreparedRequest, number>();
  /** Valid requests after the kill: when sent, when answered, whether 2xx. */
  readonly #afterKill: { sentAt: number; answeredAt: number; ok: boolean }[] = [];
  #killedAt: number | undefined;
  #killedNode = '';
  #restart: Promise<void> | undefined;
  #election: Promise<number | undefined> | undefined;
  #ledStreams: readonly string[] = [];
  #restartedAt: number | undefined;
  #baseline = 0;
  #started = Date.now();

  constructor(fabric: EstateFabric) {
    if (fabric.cluster === undefined) throw new TypeError('--kill-nats-node needs --cluster');
    this.#fabric = fabric;
  }

  /** Orders already in the bucket (the route checks'), before the soak's own. */
  async begin(): Promise<void> {
    this.#baseline = (await this.#storedOrders()).size;
    this.#started = Date.now();
  }

  /** Told each request as it is sent. */
  onSend(request: PreparedRequest): PreparedRequest {
    this.#sentAt.set(request, Date.now());
    return request;
  }

  /** Told each answer (attacks excluded by `isAttack`). */
  onResponse(request: PreparedRequest, status: number, body: string, isAttack: boolean): void {
    if (isAttack) return;
    const now = Date.now();
    if (request.method === 'POST') {
      this.#sent++;
      if (status === 201) {
        const id = (JSON.parse(body) as { id?: unknown }).id;
        if (typeof id === 'string') this.#acknowledged.add(id);
      }
    }
    const sentAt = this.#sentAt.get(request) ?? now;
    if (this.#killedAt !== undefined && now >= this.#killedAt) this.#afterKill.push({ sentAt, answeredAt: now, ok: status >= 200 && status < 300 });
  }

  /** SIGKILLs the node leading the orders state bucket now, and restarts it DOWN_MS later. */
  async kill(log: (message: string) => void): Promise<void> {
    const cluster = this.#fabric.cluster!;
    const admin = await this.#connect('admin');
    let leader: string | undefined;
    let led: string[] = [];
    try {
      const manager = await jetstreamManager(admin);
      leader = (await manager.streams.info(STREAM)).cluster?.leader;
      const leaders = await Promise.all(ORDER_PATH_STREAMS.map(async (stream) => [stream, (await manager.streams.info(stream)).cluster?.leader] as const));
      led = leaders.filter(([, of]) => of === leader).map(([stream]) => stream);
    } finally {
      await admin.close();
    }
    const index = Math.max(1, cluster.nodes.findIndex((_, offset) => `${cluster.name}-${offset + 1}` === leader) + 1);
    this.#killedNode = `${cluster.name}-${index}`;
    this.#killedAt = Date.now(); // before the signal: answers refused at once count as after it
    await cluster.node(index).kill();
    log(`SIGKILL ${this.#killedNode} (leader of ${led.join(', ')}); restarting it in ${DOWN_MS / 1000} s`);
    this.#ledStreams = led;
    // Not seen (null) if the watch itself fails: the verdict then reports no new leader.
    this.#election = this.#watchElection(this.#killedNode, this.#killedAt, led).catch(() => undefined);
    this.#restart = new Promise((resolve) => setTimeout(resolve, DOWN_MS)).then(async () => {
      this.#restartedAt = Date.now();
      await cluster.node(index).restart();
      log(`${this.#killedNode} restarted`);
    });
  }

  /** After the load: the node back, the bucket read, the figures. */
  async figures(): Promise<NodeFaultFigures> {
    await this.#restart;
    const election = await this.#election;
    const killedAt = this.#killedAt;
    const rejoined = this.#fabric.cluster!.nodes.every((node) => node.running);
    const stored = await this.#storedOrders();
    const lost = [...this.#acknowledged].filter((id) => !stored.has(id)).length;
    const bySending = [...this.#afterKill].sort((a, b) => a.sentAt - b.sentAt);
    const lastFailed = bySending.findLastIndex((entry) => !entry.ok);
    const served = bySending.slice(lastFailed + 1).find((entry) => entry.ok)?.answeredAt;
    return {
      killedNode: this.#killedNode,
      killedAtSeconds: killedAt === undefined ? 0 : Math.round((killedAt - this.#started) / 100) / 10,
      downSeconds: DOWN_MS / 1000,
      ordersAcknowledged: this.#acknowledged.size,
      ordersSent: this.#sent,
      lostOrders: lost,
      duplicatedOrders: Math.max(0, stored.size - this.#baseline - this.#sent),
      failedAfterKill: bySending.filter((entry) => !entry.ok).length,
      failedAfterRestart: bySending.filter((entry) => !entry.ok && this.#restartedAt !== undefined && entry.sentAt >= this.#restartedAt).length,
      recoverySeconds: killedAt === undefined || served === undefined ? null : Math.round((served - killedAt) / 100) / 10,
      killedNodeLed: this.#ledStreams,
      electionSeconds: election === undefined ? null : Math.round(election / 100) / 10,
      rejoined,
    };
  }

  /** Milliseconds from `killedAt` until every one of `streams` has a leader other than `victim`, asked through a survivor. */
  async #watchElection(victim: string, killedAt: number, streams: readonly string[]): Promise<number | undefined> {
    const admin = await this.#connect('admin');
    try {
      // No API check: the meta leader may be the node just lost.
      const manager = await jetstreamManager(admin, { timeout: 1_000, checkAPI: false });
      const waiting = new Set(streams);
      while (Date.now() - killedAt < ELECTION_WATCH_MS) {
        for (const stream of [...waiting]) {
          const leader = await manager.streams.info(stream).then((info) => info.cluster?.leader, () => undefined);
          if (leader !== undefined && leader !== '' && leader !== victim) waiting.delete(stream);
        }
        if (waiting.size === 0) return Date.now() - killedAt;
        await new Promise((resolve) => setTimeout(resolve, ELECTION_POLL_MS));
      }
      return undefined;
    } finally {
      await admin.close();
    }
  }

  async #storedOrders(): Promise<Set<string>> {
    const orders = await this.#connect('orders');
    try {
      const kv = await new Kvm(orders).open(stateBucketOf('orders'));
      const ids = new Set<string>();
      for await (const key of await kv.keys('order.>')) ids.add(key.slice('order.'.length));
      return ids;
    } finally {
      await orders.close();
    }
  }

  #connect(identity: 'admin' | 'orders'): Promise<NatsConnection> {
    return connect({ ...natsConnectionOptions(loadEstateConfig(this.#fabric.env(), identity)), name: `soak-${identity}` });
  }
}
