import { connect, type NatsConnection } from '@nats-io/transport-node';
import { loadEstateConfig, natsConnectionOptions } from '#estate';
import type { AppProcess } from '../../scripts/estate/app-process.js';
import { freePort } from '../../test-support/free-port.js';
import type { TestIssuer } from '../../libs/binding/test-support/test-issuer.js';
import { distPath } from './bench-context.js';
import type { DevFabricRotation } from '../../scripts/nats/dev-fabric.js';
import { startEstateFabric, type EstateFabric } from '../../test-support/estate-fabric.js';
import { pinProcess, SERVER_CORE, type Pinning } from './cpu-pinning.js';
import { startPinnedProcess } from './pinned-process.js';

/** Readiness probes are single requests; a slow answer is "not yet". */
const PROBE_TIMEOUT_MS = 1_000; // milliseconds

export interface OrderEstateOptions {
  readonly pinning: Pinning;
  readonly issuer: TestIssuer;
  /** The `aud` of the issuer's tokens: the edge's EDGE_AUDIENCE and the STS's. */
  readonly audience: string;
  /** Extra variables for sts, inventory and orders (e.g. HOP_REPLAY_STORE=memory). */
  readonly serviceEnv?: Readonly<Record<string, string>>;
  /** Extra variables for the edge (e.g. OTEL_EXPORTER_OTLP_ENDPOINT for the telemetry bench). */
  readonly edgeEnv?: Readonly<Record<string, string>>;
  /** Short-lived certificates renewed live while the estate runs (the soak's --cert-ttl). */
  readonly rotation?: DevFabricRotation;
  /** Three nats-server nodes, JetStream at R3 (issue 11), instead of one. */
  readonly cluster?: boolean;
  /** Node options of every app process (e.g. --cpu-prof for the telemetry profile). */
  readonly nodeOptions?: readonly string[];
}

/** A process of the estate, for CPU and memory figures read from /proc. */
export interface EstateProcess {
  readonly name: string;
  readonly pid: number | undefined;
}

/**
 * A Nest request packet as ClientNats sends it. Without an `id`, Nest takes it for an event and
 * answers nothing; with one, even a refusal (no hop headers, an empty payload) is an answer, and
 * an answer means the service is subscribed and serving.
 */
const probePacket = (pattern: string): string => JSON.stringify({ pattern, data: {}, id: `bench-readiness-${pattern}` });

/**
 * The whole order path as built processes, for the order-flow bench and the soak:
 * 1. the fabric (test-support/estate-fabric.ts: temp PKI, mTLS nats-server with the estate's permission table,
 *    JetStream provisioned as admin), the broker pinned to the server core;
 * 2. dist/apps/{sts,inventory,orders}/main.js, pinned to the server core, started together; each
 *    is ready once it answers a request on its subject (probes as `edge`, and as `orders` for
 *    inventory, which only orders may call);
 * 3. dist/apps/edge/main.js on a free port, pinned likewise, trusting the bench issuer's JWKS over
 *    HTTP, its order routes on the fabric; ready once /readyz answers (revocations loaded).
 * Nonces are off (DPOP_NONCE defaults to off) and the replay store is in memory: the figures
 * are those of the order path, not of a nonce round trip. Everything stops in reverse order,
 * whatever failed; each process is also killed if this one exits without stop().
 */
export class OrderEstate {
  private constructor(
    readonly fabric: EstateFabric,
    private readonly services: readonly AppProcess[],
    /** The edge's public origin: the `htu` of every proof starts with it. */
    readonly origin: string,
  ) {}

  static async start(options: OrderEstateOptions): Promise<OrderEstate> {
    const fabric = await startEstateFabric({ purpose: 'bench', rotation: options.rotation, cluster: options.cluster === true });
    const started: AppProcess[] = [];
    const probes: NatsConnection[] = [];
    try {
      for (const node of fabric.cluster?.nodes ?? [fabric.supervisor]) pinProcess(options.pinning, node.pid!, SERVER_CORE);
      const asEdge = await connect({ ...natsConnectionOptions(loadEstateConfig(fabric.env(), 'edge')), name: 'bench-probe-edge' });
      probes.push(asEdge);
      const asOrders = await connect({ ...natsConnectionOptions(loadEstateConfig(fabric.env(), 'orders')), name: 'bench-probe-orders' });
      probes.push(asOrders);
      const answers = (probe: NatsConnection, subject: string) => ({
        probe: async (): Promise<boolean> => (await probe.request(subject, probePacket(subject), { timeout: PROBE_TIMEOUT_MS })) !== undefined,
      });
      const issuerEnv = { AUTH_ISSUER: options.issuer.issuer, AUTH_JWKS_URI: `${options.issuer.issuer}/jwks`, EDGE_AUDIENCE: options.audience };
      const internal = [
        { name: 'sts', env: fabric.env({ ...issuerEnv, ...options.serviceEnv }), ready: answers(asEdge, 'sts.exchange') },
        { name: 'inventory', env: fabric.env(options.serviceEnv), ready: answers(asOrders, 'inventory.get') },
        { name: 'orders', env: fabric.env(options.serviceEnv), ready: answers(asEdge, 'orders.get') },
      ];
      const outcomes = await Promise.allSettled(
        internal.map(({ name, env, ready }) => startPinnedProcess(options.pinning, { name, main: distPath(`apps/${name}/main.js`), env, ready, ...(options.nodeOptions === undefined ? {} : { nodeOptions: options.nodeOptions }) })),
      );
      for (const outcome of outcomes) if (outcome.status === 'fulfilled') started.push(outcome.value);
      const failed = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
      if (failed !== undefined) throw failed.reason;

      const port = await freePort();
      const origin = `http://127.0.0.1:${port}`;
      started.push(
        await startPinnedProcess(options.pinning, {
          name: 'edge',
          main: distPath('apps/edge/main.js'),
          env: fabric.env({ ...issuerEnv, EDGE_PORT: String(port), EDGE_PUBLIC_URL: origin, REPLAY_STORE: 'memory', ...options.edgeEnv }),
          ready: { url: `${origin}/readyz` },
          ...(options.nodeOptions === undefined ? {} : { nodeOptions: options.nodeOptions }),
        }),
      );
      return new OrderEstate(fabric, started, origin);
    } catch (error) {
      await Promise.allSettled(started.map((service) => service.stop()));
      await fabric.stop();
      throw error;
    } finally {
      await Promise.allSettled(probes.map((probe) => probe.close()));
    }
  }

  /** Every process of the estate, the broker included. */
  processes(): EstateProcess[] {
    const brokers = this.fabric.cluster?.nodes.map((node, index) => ({ name: `nats-server-${index + 1}`, pid: node.pid })) ?? [{ name: 'nats-server', pid: this.fabric.supervisor.pid }];
    return [...this.services.map((service) => ({ name: service.name, pid: service.pid })), ...brokers];
  }

  /** The last output of each service, for a failure message (the apps never log tokens). */
  logs(charsEach = 1_500): string {
    return this.services.map((service) => `--- ${service.name}\n${service.output.slice(-charsEach)}`).join('\n');
  }

  /**
   * Stops the edge first (no new orders), then the services, then the fabric. Safe to call twice.
   * `signal`: what the apps are sent (SIGUSR2 ends a profiled app so it writes its profile).
   */
  async stop(signal?: NodeJS.Signals): Promise<void> {
    for (const service of [...this.services].reverse()) await service.stop(signal).catch(() => undefined);
    await this.fabric.stop();
  }
}
