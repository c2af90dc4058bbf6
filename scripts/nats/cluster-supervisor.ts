import { integerRangeProblem } from '#binding/core';
import { findFreePort } from './free-port.js';
import type { IdentityPermissions } from './permission-table.js';
import { startNatsServer, type NatsReloadChanges, type NatsSupervisor } from './supervisor.js';

/**
 * A NATS cluster of our own for tests, the bench and the demo (ARCHITECTURE.md "NATS", at scale):
 * `nodes` nats-servers on loopback, one NatsSupervisor each (own client port, route port, data
 * folder and server_name), joined by routes over mutual TLS from the estate CA that admit only
 * the route identity (SECURITY.md T6; render-nats-config.ts clusterBlock). JetStream runs on
 * every node; provisioning at R3 is provision-jetstream.ts's (it sees the cluster and asks for
 * three replicas). Clients are given every node's URL (`urls`) and move to another node when
 * theirs goes. A node can be killed, restarted (same ports and data: it rejoins and catches up)
 * or reloaded; reload() reloads every running node, as a certificate renewal needs.
 */
export interface NatsClusterOptions {
  /** Default DEFAULT_CLUSTER_NODES. */
  readonly nodes?: number;
  /** Default DEFAULT_CLUSTER_NAME. */
  readonly name?: string;
  readonly host?: string;
  /** The client-facing certificate, key and CA, shared by every node (its SANs name localhost). */
  readonly tls: { readonly certFile: string; readonly keyFile: string; readonly caFile: string };
  /** Node `index`'s (1-based) route certificate and key, and the CA routes are verified against. */
  readonly routeTls: (index: number) => { readonly certFile: string; readonly keyFile: string; readonly caFile: string };
  /** The route identity (ROUTE_SPIFFE_ID). */
  readonly routeUser: string;
  readonly probe: { readonly certFile: string; readonly keyFile: string };
  readonly permissions?: readonly IdentityPermissions[];
  readonly pinsFile?: string;
  readonly binary?: string;
  /**
   * Per node (index 0 is node 1): its own listen address and binary, e.g. a node run inside a
   * network namespace through a wrapper (`ip netns exec`) on a veth address, to cut it off.
   */
  readonly perNode?: readonly { readonly host?: string; readonly binary?: string }[];
  /** Give each node a monitoring port (`/healthz`, `/routez`, `/jsz`). */
  readonly monitoring?: boolean;
}

export const DEFAULT_CLUSTER_NODES = 3;
export const DEFAULT_CLUSTER_NAME = 'estate';

interface NodePorts {
  readonly client: number;
  readonly route: number;
  readonly http?: number;
}

export class NatsCluster {
  readonly name: string;
  readonly nodes: readonly NatsSupervisor[];
  /** Every node's route URL (`nats-route://host:port`), node 1 first. */
  readonly routeUrls: readonly string[];
  readonly #monitor: readonly (number | undefined)[];

  private constructor(name: string, nodes: readonly NatsSupervisor[], routeUrls: readonly string[], monitor: readonly (number | undefined)[]) {
    this.name = name;
    this.nodes = nodes;
    this.routeUrls = Object.freeze([...routeUrls]);
    this.#monitor = monitor;
  }

  /** Starts every node at once and resolves when each accepts an authenticated client. */
  static async start(options: NatsClusterOptions): Promise<NatsCluster> {
    const count = options.nodes ?? DEFAULT_CLUSTER_NODES;
    const problem = integerRangeProblem(count, 1);
    if (problem !== undefined) throw new TypeError(`nodes ${problem}`);
    const host = options.host ?? '127.0.0.1';
    const name = options.name ?? DEFAULT_CLUSTER_NAME;
    // Every route URL must be known before the first node starts: all ports are chosen up front.
    const hostOf = (offset: number): string => options.perNode?.[offset]?.host ?? host;
    const ports: NodePorts[] = [];
    for (let index = 0; index < count; index++) {
      // A node in another namespace cannot bind there from here: its ports are picked on the default host.
      const probeHost = options.perNode?.[index]?.binary === undefined ? hostOf(index) : host;
      ports.push({
        client: await findFreePort(probeHost),
        route: await findFreePort(probeHost),
        ...(options.monitoring === true ? { http: await findFreePort(probeHost) } : {}),
      });
    }
    const routes = ports.map((port, offset) => `nats-route://${hostOf(offset)}:${port.route}`);
    const started = await Promise.allSettled(ports.map((port, offset) => startNatsServer({
      tls: options.tls,
      probe: options.probe,
      host: hostOf(offset),
      port: port.client,
      serverName: `${name}-${offset + 1}`,
      cluster: { name, host: hostOf(offset), port: port.route, routes, tls: options.routeTls(offset + 1), routeUser: options.routeUser },
      ...(port.http === undefined ? {} : { httpPort: port.http }),
      ...(options.permissions === undefined ? {} : { permissions: options.permissions }),
      ...(options.pinsFile === undefined ? {} : { pinsFile: options.pinsFile }),
      ...((options.perNode?.[offset]?.binary ?? options.binary) === undefined ? {} : { binary: (options.perNode?.[offset]?.binary ?? options.binary)! }),
    })));
    const nodes = started.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
    const failed = started.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    if (failed !== undefined) {
      await Promise.all(nodes.map((node) => node.stop()));
      throw failed.reason;
    }
    return new NatsCluster(name, nodes, routes, ports.map((port) => port.http));
  }

  /** Every node's client URL: what NATS_URL lists (comma-separated) and clients are given. */
  get urls(): readonly string[] {
    return this.nodes.map((node) => node.url);
  }

  /** NATS_URL for libs/estate: every node, comma-separated. */
  get url(): string {
    return this.urls.join(',');
  }

  /** Node `index` (1-based, as its server_name `<cluster>-<index>`). */
  node(index: number): NatsSupervisor {
    const node = this.nodes[index - 1];
    if (node === undefined) throw new RangeError(`no node ${index} in a cluster of ${this.nodes.length}`);
    return node;
  }

  /** Node `index`'s monitoring URL (with `monitoring` only). */
  monitoringUrl(index: number): string {
    const port = this.#monitor[index - 1];
    if (port === undefined) throw new Error('the cluster was started without monitoring');
    return `http://${this.node(index).host}:${port}`;
  }

  /**
   * Reloads every running node (certificate, CA and pin files are shared; route leaves are per
   * node). A node that dies during its reload (killed by a test, crashed) is not a failed reload:
   * it reads the files as they are when it is started again.
   */
  async reload(changes: NatsReloadChanges = {}): Promise<void> {
    await Promise.all(this.nodes.filter((node) => node.running).map((node) => node.reload(changes).catch((error: unknown) => {
      if (node.running) throw error;
    })));
  }

  /** Stops every node and removes their data. Safe to call twice. */
  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.stop()));
  }
}

/** Starts a supervised cluster; see NatsCluster. */
export function startNatsCluster(options: NatsClusterOptions): Promise<NatsCluster> {
  return NatsCluster.start(options);
}
