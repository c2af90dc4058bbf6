import { request as httpRequest } from 'node:http';
import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { loadEstateConfig, natsConnectionOptions, stateBucketOf, type EstateIdentity } from '#estate';
import type { AppProcess } from '../../../scripts/estate/app-process.js';
import { DpopClient } from '../../../libs/binding/test-support/dpop-proofs.js';
import { EdgeProcess } from '../../edge/edge-process.js';
import { TestIssuer } from '../../../libs/binding/test-support/test-issuer.js';
import { builtApp } from '../../../test-support/built-app.js';
import { startEstateFabric, type EstateFabric } from '../../../test-support/estate-fabric.js';
import { freePort } from '../../../test-support/free-port.js';

/**
 * The estate of test/cluster as real processes (node dist/apps/<app>/main.js, `npm run build`
 * first): a three-node cluster fabric (JetStream at R3, monitoring ports on), two replicas each of
 * sts, orders and inventory, and two edge replicas behind one public origin sharing the edge's
 * replay bucket (REPLAY_STORE=jetstream), each given every node's URL.
 */
export const PUBLIC_HOST = 'api.estate.test';
export const ORIGIN = `http://${PUBLIC_HOST}`;
export const OUTBOUND_TIMEOUT_MS = 3_000; // milliseconds: the edges' NATS_REQUEST_TIMEOUT_MS
/** Every JetStream asset of the estate (provision-jetstream.ts), by stream name. */
export const ESTATE_STREAMS = ['REVOCATIONS', 'KV_edge', 'KV_sts', 'KV_orders', 'KV_inventory', 'KV_orders-state', 'KV_inventory-state'] as const;

export interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  /** The connection failed (refused or reset): status 0. */
  readonly error?: string;
}

export class ClusterEstate {
  private constructor(
    readonly fabric: EstateFabric,
    readonly issuer: TestIssuer,
    readonly client: DpopClient,
    readonly services: Record<'sts' | 'orders' | 'inventory', AppProcess[]>,
    readonly edges: EdgeProcess[],
    private readonly edgeEnv: Record<string, string>,
  ) {}

  static async start(): Promise<ClusterEstate> {
    const fabric = await startEstateFabric({ cluster: { monitoring: true } });
    const issuer = await new TestIssuer(ORIGIN).start();
    const client = await DpopClient.create();
    const env = fabric.env({ NATS_RECONNECT_WAIT_MS: '100' });
    const sts = { ...env, AUTH_ISSUER: issuer.issuer, AUTH_JWKS_URI: `${issuer.issuer}/jwks`, EDGE_AUDIENCE: ORIGIN, STS_KEYS_FILE: `${fabric.certsDir}/sts-keys.json` };
    // One STS first: it writes the signing keys file both replicas then share.
    const services = { sts: [builtApp('sts', sts)], orders: [builtApp('orders', env), builtApp('orders', env)], inventory: [builtApp('inventory', env), builtApp('inventory', env)] };
    await services.sts[0]!.start();
    services.sts.push(builtApp('sts', sts));
    await Promise.all([services.sts[1]!, ...services.orders, ...services.inventory].map((service) => service.start()));
    const edgeEnv = { ...env, AUTH_ISSUER: issuer.issuer, AUTH_JWKS_URI: `${issuer.issuer}/jwks`, EDGE_PUBLIC_URL: ORIGIN, REPLAY_STORE: 'jetstream', NATS_REQUEST_TIMEOUT_MS: String(OUTBOUND_TIMEOUT_MS) };
    const estate = new ClusterEstate(fabric, issuer, client, services, [], edgeEnv);
    estate.edges.push(...(await Promise.all([estate.startEdge(), estate.startEdge()])));
    return estate;
  }

  /** Another edge replica on a free port (e.g. one started after a revocation). */
  async startEdge(): Promise<EdgeProcess> {
    return new EdgeProcess(await freePort(), this.edgeEnv).start();
  }

  /** A connection as `identity` given every node's URL, as the apps have; `servers` in this order (first one first) when given. */
  connectAs(identity: EstateIdentity, servers?: readonly string[]): Promise<NatsConnection> {
    const options = natsConnectionOptions(loadEstateConfig(this.fabric.env(), identity));
    return connect(servers === undefined ? options : { ...options, servers: [...new Set(servers)], noRandomize: true, reconnectTimeWait: 100 });
  }

  /** Headers of one bound request to `path` at the public origin (any replica serves it). */
  async request(method: 'GET' | 'POST', path: string, options: { sub?: string; prover?: DpopClient; scope?: string } = {}): Promise<Record<string, string>> {
    const token = await this.issuer.mint({ sub: options.sub ?? 'user-cluster', cnf: { jkt: this.client.jkt }, ...(options.scope === undefined ? {} : { scope: options.scope }) });
    const proof = await (options.prover ?? this.client).proof({ htm: method, htu: `${ORIGIN}${path}`, token });
    return { host: PUBLIC_HOST, authorization: `DPoP ${token}`, dpop: proof, ...(method === 'POST' ? { 'content-type': 'application/json' } : {}) };
  }

  /** Sends to one replica; a refused or reset connection is status 0, never a throw. */
  send(edge: EdgeProcess, method: 'GET' | 'POST', path: string, headers: Record<string, string>, body?: unknown): Promise<Answer> {
    return new Promise((resolve) => {
      const request = httpRequest(`http://127.0.0.1:${edge.port}${path}`, { method, headers, agent: false }, (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) }));
        response.on('error', (error) => resolve({ status: 0, body: {}, error: error.message }));
      });
      request.on('error', (error) => resolve({ status: 0, body: {}, error: error.message }));
      request.end(body === undefined ? undefined : JSON.stringify(body));
    });
  }

  /** Every order in the orders state bucket, read as orders (its own bucket), keyed by id. */
  async storedOrders(): Promise<Map<string, Record<string, unknown>>> {
    const orders = await this.connectAs('orders');
    try {
      const kv = await new Kvm(orders).open(stateBucketOf('orders'));
      const stored = new Map<string, Record<string, unknown>>();
      for await (const key of await kv.keys('order.>')) {
        const entry = await kv.get(key);
        if (entry !== null && entry.operation === 'PUT') stored.set(key.slice('order.'.length), entry.json<Record<string, unknown>>());
      }
      return stored;
    } finally {
      await orders.close();
    }
  }

  /** Every asset has every peer current with no lag, on `replicas` peers (S1, S2: caught up). */
  async replicationSettled(admin: NatsConnection, replicas = 3): Promise<boolean> {
    const manager = await jetstreamManager(admin).catch(() => undefined);
    if (manager === undefined) return false; // the meta leader is being re-elected
    for (const name of ESTATE_STREAMS) {
      const info = await manager.streams.info(name).catch(() => undefined);
      const peers = info?.cluster?.replicas ?? [];
      if (info?.cluster?.leader === undefined || info.config.num_replicas !== replicas || peers.length !== replicas - 1) return false;
      if (peers.some((peer) => !peer.current || peer.offline || peer.lag > 0)) return false;
    }
    return true;
  }

  /** The node (1-based) leading `stream` now. */
  async leaderOf(admin: NatsConnection, stream: string): Promise<number> {
    const leader = (await (await jetstreamManager(admin)).streams.info(stream)).cluster?.leader;
    const index = this.fabric.cluster!.nodes.findIndex((_, offset) => `${this.fabric.cluster!.name}-${offset + 1}` === leader);
    if (index < 0) throw new Error(`no leader for ${stream} (${String(leader)})`);
    return index + 1;
  }

  async stop(): Promise<void> {
    await Promise.all(this.edges.map((edge) => edge.stop()));
    for (const group of Object.values(this.services)) await Promise.all(group.map((service) => service.stop()));
    await this.issuer.stop();
    await this.fabric.stop();
  }
}

export async function eventually(ms: number, condition: () => boolean | Promise<boolean>, intervalMs = 100): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
