import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ClientProxyFactory, type ClientProxy } from '@nestjs/microservices';
import {
  ACCESS_TOKEN_TYPE,
  clientProxyTransport,
  createHopProofSigner,
  createOutboundClient,
  SubjectToken,
  type HopProofSigner,
  type OutboundClient,
} from '#binding';
import { loadEstateConfig, natsClientOptions, spiffeIdOf, type EstateIdentity, type EstateLink, type Workload } from '#estate';
import { issueCertificate, type Authority, type IssuedCertificate } from '../../../certs/pki.js';
import { createInventoryApp, type InventoryApp } from '../../../apps/inventory/src/create-inventory-app.js';
import { createOrdersApp, type OrdersApp } from '../../../apps/orders/src/create-orders-app.js';
import { createStsApp, type StsApp } from '../../../apps/sts/src/create-sts-app.js';
import { loadStsConfig } from '../../../apps/sts/src/sts-config.js';
import type { IdentityPermissions } from '../../../scripts/nats/permission-table.js';
import { provisionAsAdmin } from '../../../scripts/nats/provision-jetstream.js';
import { TestIssuer } from '../../../libs/binding/test-support/test-issuer.js';
import { startEstateFabric, type EstateFabric } from '../../../test-support/estate-fabric.js';
import { MonitoredBroker } from './monitored-broker.js';

export const EDGE_AUDIENCE = 'http://localhost:3000';
/** LIFECYCLE_LOG=1 shows the apps' logs (warnings name why a hop was refused). */
const LOGGER: false | ['error', 'warn', 'log'] = process.env['LIFECYCLE_LOG'] === undefined ? false : ['error', 'warn', 'log'];
export const STS = spiffeIdOf('sts');
export const ORDERS = spiffeIdOf('orders');
export const INVENTORY = spiffeIdOf('inventory');

export interface LeafOptions {
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  /** Default: the fabric's CA. */
  readonly ca?: Authority;
}

/**
 * The internal estate of one lifecycle test file, in this process: a fabric (temp CA and
 * certificates), a monitored copy of its broker (MonitoredBroker: the broker says which certificate
 * each client presented), JetStream provisioned as admin, a test issuer for client tokens, and the
 * real STS, inventory and orders apps. `renew()` rewrites a workload's files as a renewer does
 * (key, then certificate, each written aside and renamed) and waits until the app has followed.
 */
export class LifecycleEstate {
  readonly clients: { readonly identity: EstateIdentity; readonly client: ClientProxy }[] = [];

  private constructor(
    readonly fabric: EstateFabric,
    readonly broker: MonitoredBroker,
    readonly issuer: TestIssuer,
    readonly sts: StsApp,
    readonly inventory: InventoryApp,
    readonly orders: OrdersApp,
  ) {}

  static async start(options: { ordersEnv?: Readonly<Record<string, string>>; permissions?: readonly IdentityPermissions[] } = {}): Promise<LifecycleEstate> {
    const fabric = await startEstateFabric(options.permissions === undefined ? {} : { permissions: options.permissions });
    const broker = await MonitoredBroker.start(fabric).catch(async (error: unknown) => {
      await fabric.stop();
      throw error;
    });
    const env = (overrides: Readonly<Record<string, string>> = {}) => fabric.env({ NATS_URL: broker.url, NATS_RECONNECT_WAIT_MS: '100', ...overrides });
    await provisionAsAdmin(env());
    const issuer = await new TestIssuer(EDGE_AUDIENCE).start();
    const sts = await createStsApp(
      loadStsConfig(env({ AUTH_ISSUER: issuer.issuer, AUTH_JWKS_URI: `${issuer.issuer}/jwks`, EDGE_AUDIENCE, AUTH_JWKS_COOLDOWN_S: '1', STS_KEYS_FILE: `${fabric.certsDir}/sts-keys.json` })),
      { logger: LOGGER },
    );
    await sts.app.listen();
    const inventory = await createInventoryApp(loadEstateConfig(env(), 'inventory'), { logger: LOGGER, initialStock: 1_000 });
    await inventory.app.listen();
    const orders = await createOrdersApp(loadEstateConfig(env(options.ordersEnv), 'orders'), { logger: LOGGER });
    await orders.app.listen();
    return new LifecycleEstate(fabric, broker, issuer, sts, inventory, orders);
  }

  env(overrides: Readonly<Record<string, string>> = {}): Record<string, string> {
    return this.fabric.env({ NATS_URL: this.broker.url, NATS_RECONNECT_WAIT_MS: '100', ...overrides });
  }

  linkOf(workload: Exclude<Workload, 'edge'>): EstateLink {
    return this[workload].link;
  }

  /** A new leaf for `identity` (not written anywhere). */
  issue(identity: EstateIdentity, options: LeafOptions = {}): Promise<IssuedCertificate> {
    return issueCertificate(options.ca ?? this.fabric.ca, {
      commonName: identity,
      spiffeId: spiffeIdOf(identity),
      usage: 'client',
      ...(options.notBefore === undefined ? {} : { notBefore: options.notBefore }),
      ...(options.notAfter === undefined ? {} : { notAfter: options.notAfter }),
    });
  }

  /** Writes `text` to `name` in the certificate folder as a renewer does: aside, then renamed over. */
  async replaceFile(name: string, text: string, mode = 0o644): Promise<void> {
    const aside = join(this.fabric.certsDir, `.${randomUUID()}.tmp`);
    await writeFile(aside, text, { mode });
    await rename(aside, join(this.fabric.certsDir, name));
  }

  /** Rewrites a workload's key then certificate; resolves once the apps have followed (watchers checked). */
  async renew(identity: Exclude<Workload, 'edge'>, issued: IssuedCertificate): Promise<void> {
    await this.replaceFile(`${identity}.key`, issued.privateKeyPem, 0o600);
    await this.replaceFile(`${identity}.crt`, issued.certificatePem);
    await this.followed();
  }

  /** Waits until every app has read the files as they are now (the watchers' own events may be first). */
  async followed(): Promise<void> {
    await Promise.all([this.sts.link, this.inventory.link, this.orders.link].map((link) => link.identity.watcher.check()));
  }

  /** A connected plain ClientNats as one identity, on the files as they are now. */
  async clientAs(identity: EstateIdentity): Promise<ClientProxy> {
    const client = ClientProxyFactory.create(natsClientOptions(loadEstateConfig(this.env(), identity)));
    await client.connect();
    this.clients.push({ identity, client });
    return client;
  }

  signerOf(issued: IssuedCertificate): HopProofSigner {
    return createHopProofSigner({ privateKey: issued.privateKeyPem, certificateChainPem: issued.certificatePem });
  }

  /** An outbound client as a caller builds it, with the signer given (default: the identity's current files). */
  async outboundAs(identity: EstateIdentity, signer?: HopProofSigner, timeoutMs = 10_000): Promise<OutboundClient> {
    const config = loadEstateConfig(this.env(), identity);
    return createOutboundClient({
      transport: clientProxyTransport(await this.clientAs(identity)),
      signer: signer ?? createHopProofSigner({ privateKey: config.tls.key, certificateChainPem: config.tls.cert }),
      stsAudience: STS,
      timeoutMs,
      exchangeTimeoutMs: Math.min(timeoutMs, 5_000),
    });
  }

  /** A client token from the external issuer, DPoP-bound, as the edge holds it. */
  async clientToken(sub = 'user-42'): Promise<SubjectToken> {
    const token = await this.issuer.mint({ sub, cnf: { jkt: 'client-key-thumbprint-0000000000000000000000' } });
    return new SubjectToken(token, ACCESS_TOKEN_TYPE, Math.floor(Date.now() / 1000) + 300);
  }

  /** Closes the clients clientAs() and outboundAs() opened as `identity` (all without one); the apps' own connections stay. */
  async closeClients(identity?: EstateIdentity): Promise<void> {
    const closing = this.clients.filter((entry) => identity === undefined || entry.identity === identity);
    for (const entry of closing) {
      this.clients.splice(this.clients.indexOf(entry), 1);
      await entry.client.close().catch(() => undefined);
    }
  }

  async stop(): Promise<void> {
    await this.closeClients();
    for (const app of [this.orders, this.inventory, this.sts]) await app.app.close().catch(() => undefined);
    await this.issuer.stop();
    await this.broker.stop();
    await this.fabric.stop();
  }
}

export { eventually } from '../../../test-support/eventually.js';
