import 'reflect-metadata';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { ClientProxyFactory, type ClientProxy } from '@nestjs/microservices';
import { Kvm, type KV } from '@nats-io/kv';
import {
  ACCESS_TOKEN_TYPE,
  clientProxyTransport,
  createHopProofSigner,
  createOutboundClient,
  SubjectToken,
  type HopProofSigner,
  type OutboundClient,
} from '#binding';
import { loadEstateConfig, natsClientOptions, natsConnectionOptions, spiffeIdOf, stateBucketOf, type EstateIdentity } from '#estate';
import { createInventoryApp, type InventoryApp } from '../../../apps/inventory/src/create-inventory-app.js';
import { createOrdersApp, type OrdersApp } from '../../../apps/orders/src/create-orders-app.js';
import { createStsApp, type StsApp } from '../../../apps/sts/src/create-sts-app.js';
import { loadStsConfig } from '../../../apps/sts/src/sts-config.js';
import type { IdentityPermissions } from '../../../scripts/nats/permission-table.js';
import { provisionEstateJetStream } from '../../../scripts/nats/provision-jetstream.js';
import { announceRevocation } from '../../../scripts/nats/publish-revocation.js';
import type { INestApplication } from '@nestjs/common';
import { createEdgeApp } from '../../../apps/edge/src/create-edge-app.js';
import { loadEdgeConfig } from '../../../apps/edge/src/edge-config.js';
import { freePort } from '../../../test-support/free-port.js';
import { TestIssuer, type MintOptions } from '../../../libs/binding/test-support/test-issuer.js';
import { eventually } from '../../../test-support/eventually.js';
import { startEstateFabric, type EstateFabric, type EstateFabricOptions } from '../../../test-support/estate-fabric.js';

export const EDGE = spiffeIdOf('edge');
export const STS = spiffeIdOf('sts');
export const ORDERS = spiffeIdOf('orders');
export const INVENTORY = spiffeIdOf('inventory');
/** How long startEdge waits for /readyz. */
const EDGE_READY_MS = 5_000; // milliseconds
/** The edge's external audience in these tests: the `aud` the test issuer puts in client tokens. */
export const EDGE_AUDIENCE = 'http://localhost:3000';

export interface HopEstateOptions {
  /** Extra STS variables (STS_EXCHANGE_POLICY, STS_TOKEN_TTL_S, ...). */
  readonly stsEnv?: Readonly<Record<string, string>>;
  /** Another permission table for the broker (e.g. one too wide, to show the handler's own check). */
  readonly permissions?: readonly IdentityPermissions[];
  /** Extra variables for orders and inventory (e.g. HOP_REPLAY_MAX_PER_SENDER). */
  readonly serviceEnv?: Readonly<Record<string, string>>;
  /** Short-lived certificates renewed live, with broker pins (scripts/nats/dev-fabric.ts). */
  readonly rotation?: EstateFabricOptions['rotation'];
}

/**
 * The internal estate of one test file, in this process: a fabric (temp CA, certificates, mTLS
 * nats-server), JetStream provisioned as admin, a test issuer standing in for the authorization
 * server, and the real STS, orders and inventory apps as Nest microservices on the fabric.
 */
export class HopEstate {
  readonly connections: NatsConnection[] = [];
  readonly clients: ClientProxy[] = [];
  readonly edges: INestApplication[] = [];

  private constructor(
    readonly fabric: EstateFabric,
    readonly issuer: TestIssuer,
    readonly sts: StsApp,
    readonly orders: OrdersApp,
    readonly inventory: InventoryApp,
    private readonly admin: NatsConnection,
    private readonly stsEnv: Readonly<Record<string, string>>,
    private readonly serviceEnv: Readonly<Record<string, string>>,
  ) {}

  static async start(options: HopEstateOptions = {}): Promise<HopEstate> {
    const fabric = await startEstateFabric({
      ...(options.permissions === undefined ? {} : { permissions: options.permissions }),
      ...(options.rotation === undefined ? {} : { rotation: options.rotation }),
    });
    const env = (overrides: Readonly<Record<string, string>> = {}) => fabric.env({ NATS_RECONNECT_WAIT_MS: '100', ...overrides });
    const admin = await connect(natsConnectionOptions(loadEstateConfig(env(), 'admin')));
    await provisionEstateJetStream(admin);
    const issuer = await new TestIssuer(EDGE_AUDIENCE).start();
    const stsConfig = loadStsConfig(env({ AUTH_ISSUER: issuer.issuer, AUTH_JWKS_URI: `${issuer.issuer}/jwks`, EDGE_AUDIENCE, AUTH_JWKS_COOLDOWN_S: '1', STS_KEYS_FILE: `${fabric.certsDir}/sts-keys.json`, ...options.stsEnv }));
    const sts = await createStsApp(stsConfig, { logger: false });
    await sts.app.listen();
    const serviceEnv = options.serviceEnv ?? {};
    const inventory = await createInventoryApp(loadEstateConfig(env(serviceEnv), 'inventory'), { logger: false });
    await inventory.app.listen();
    const orders = await createOrdersApp(loadEstateConfig(env(serviceEnv), 'orders'), { logger: false });
    await orders.app.listen();
    return new HopEstate(fabric, issuer, sts, orders, inventory, admin, options.stsEnv ?? {}, serviceEnv);
  }

  /**
   * The real edge app in this process, on a free port, joined to the fabric (NATS_URL set) unless
   * `withNats` is false. Its public URL is http://localhost:<port>; it accepts the test issuer's
   * tokens for EDGE_AUDIENCE.
   */
  async startEdge(options: { withNats?: boolean; env?: Readonly<Record<string, string>>; waitReady?: boolean } = {}): Promise<{ app: INestApplication; url: string }> {
    const port = await freePort();
    const fabricEnv = options.withNats === false ? {} : this.env();
    const config = loadEdgeConfig({
      ...fabricEnv,
      EDGE_PORT: String(port),
      AUTH_ISSUER: this.issuer.issuer,
      AUTH_JWKS_URI: `${this.issuer.issuer}/jwks`,
      EDGE_AUDIENCE,
      ...options.env,
    });
    const app = await createEdgeApp(config);
    app.useLogger(false);
    await app.listen(port, '127.0.0.1');
    this.edges.push(app);
    // Ready once the revocations in force are loaded (/readyz), as an orchestrator would wait.
    if (options.waitReady !== false) await eventually(EDGE_READY_MS, async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).ok);
    return { app, url: `http://localhost:${port}` };
  }

  /** Closes one internal app (an outage); `restart` brings a fresh one up on the same fabric. */
  async close(app: 'sts' | 'orders' | 'inventory'): Promise<void> {
    await this[app].app.close();
  }

  async restart(app: 'sts' | 'orders' | 'inventory'): Promise<void> {
    const mutable = this as unknown as Record<string, { app: { listen(): Promise<unknown> } }>;
    const next =
      app === 'sts'
        ? await createStsApp(loadStsConfig(this.env({ AUTH_ISSUER: this.issuer.issuer, AUTH_JWKS_URI: `${this.issuer.issuer}/jwks`, EDGE_AUDIENCE, AUTH_JWKS_COOLDOWN_S: '1', STS_KEYS_FILE: `${this.fabric.certsDir}/sts-keys.json`, ...this.stsEnv })), { logger: false })
        : app === 'orders'
          ? await createOrdersApp(loadEstateConfig(this.env(this.serviceEnv), 'orders'), { logger: false })
          : await createInventoryApp(loadEstateConfig(this.env(this.serviceEnv), 'inventory'), { logger: false });
    await next.app.listen();
    mutable[app] = next;
  }

  /** The environment every app of this estate reads (reconnects quickly after a broker restart). */
  env(overrides: Readonly<Record<string, string>> = {}): Record<string, string> {
    return this.fabric.env({ NATS_RECONNECT_WAIT_MS: '100', ...overrides });
  }

  /** A plain connection as one identity (e.g. to read a state bucket, or to send crafted messages). */
  async connectAs(identity: EstateIdentity): Promise<NatsConnection> {
    const connection = await connect(natsConnectionOptions(loadEstateConfig(this.env(), identity)));
    this.connections.push(connection);
    return connection;
  }

  /** A connected ClientNats as one identity: what an app uses for outbound calls. */
  async clientAs(identity: EstateIdentity): Promise<ClientProxy> {
    const client = ClientProxyFactory.create(natsClientOptions(loadEstateConfig(this.env(), identity)));
    await client.connect();
    this.clients.push(client);
    return client;
  }

  /** The signer of a workload's real certificate and key. */
  async signerOf(identity: EstateIdentity): Promise<HopProofSigner> {
    const config = loadEstateConfig(this.env(), identity);
    return createHopProofSigner({ privateKey: config.tls.key, certificateChainPem: config.tls.cert });
  }

  /** An outbound client as the edge would build it: edge's ClientNats, a signer of the caller's choice. */
  async outboundAs(identity: EstateIdentity, signer?: HopProofSigner, options: { timeoutMs?: number; exchangeTimeoutMs?: number } = {}): Promise<OutboundClient> {
    return createOutboundClient({
      transport: clientProxyTransport(await this.clientAs(identity)),
      signer: signer ?? (await this.signerOf(identity)),
      stsAudience: STS,
      timeoutMs: options.timeoutMs ?? 3_000,
      exchangeTimeoutMs: options.exchangeTimeoutMs ?? 2_000,
    });
  }

  /** A client token from the external issuer, DPoP-bound unless `cnf` says otherwise, as the edge holds it. */
  async clientToken(options: MintOptions = {}): Promise<SubjectToken> {
    const token = await this.issuer.mint({ cnf: { jkt: 'client-key-thumbprint-0000000000000000000000' }, ...options });
    return new SubjectToken(token, ACCESS_TOKEN_TYPE, Math.floor(Date.now() / 1000) + (options.expiresIn ?? 300));
  }

  async stateBucket(workload: 'orders' | 'inventory'): Promise<KV> {
    return new Kvm(await this.connectAs(workload)).open(stateBucketOf(workload));
  }

  /** Keys of a state bucket: what the handlers wrote. */
  async stateKeys(workload: 'orders' | 'inventory'): Promise<string[]> {
    const keys: string[] = [];
    for await (const key of await (await this.stateBucket(workload)).keys()) keys.push(key);
    return keys.sort();
  }

  revoke(kind: 'sub' | 'jti' | 'cert', value: string, ttlSeconds = 30): ReturnType<typeof announceRevocation> {
    return announceRevocation(this.admin, { kind, value, ttlSeconds });
  }

  async stop(): Promise<void> {
    for (const edge of this.edges) await edge.close().catch(() => undefined);
    for (const client of this.clients) await client.close().catch(() => undefined);
    for (const connection of this.connections) await connection.close().catch(() => undefined);
    for (const app of [this.orders, this.inventory, this.sts]) await app?.app.close().catch(() => undefined);
    await this.admin.close().catch(() => undefined);
    await this.issuer.stop();
    await this.fabric.stop();
  }
}

export { eventually };
