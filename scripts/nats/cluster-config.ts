import { join } from 'node:path';
import { integerRangeProblem } from '#binding/core';
import { clusterNodeHost, ROUTE_SPIFFE_ID } from '../../certs/estate-leaves.js';
import { DEFAULT_CLUSTER_NAME } from './cluster-supervisor.js';
import { renderNatsConfig } from './render-nats-config.js';

/**
 * One node's configuration for a cluster deployed by others (compose's `cluster` profile,
 * deploy/k8s): the same renderer and permission table as every estate broker, with the cluster
 * block (routes over mutual TLS admitting only the route identity, SECURITY.md T6) and a
 * monitoring port for probes (`/healthz`). Every node reads the same file: its server_name comes
 * from the command line (`--server_name`), its certificates from CERTS_DIR with the renewer's file
 * names (`nats.crt/key` for clients, `nats-route.crt/key` for routes, `ca.crt`), so cert-manager or
 * a SPIFFE CSI driver can write them under those names.
 */
export interface ClusterNodeConfigOptions {
  readonly certsDir: string;
  readonly host: string;
  readonly port: number;
  readonly routePort: number;
  readonly httpPort: number;
  readonly storeDir: string;
  /** Every node's route URL, e.g. `nats-route://nats-0.nats:6222`. */
  readonly routes: readonly string[];
  readonly clusterName?: string;
  /** `nats-pins.conf` in CERTS_DIR, when a renewer writes one (compose); none under cert-manager. */
  readonly pinsFile?: string;
  readonly configDir?: string;
}

export const DEFAULT_ROUTE_PORT = 6222;
export const DEFAULT_MONITORING_PORT = 8222;
/** The route leaf's file stem where one node holds one route certificate (a container, a pod). */
export const ROUTE_FILE_STEM = 'nats-route';

/** The route URLs of `nodes` nodes named by host (`nats-route://nats-<index>:<routePort>`), as compose names them. */
export function clusterNodeRoutes(nodes: number, routePort: number = DEFAULT_ROUTE_PORT): readonly string[] {
  const problem = integerRangeProblem(nodes, 2);
  if (problem !== undefined) throw new TypeError(`a cluster's nodes ${problem}`);
  return Array.from({ length: nodes }, (_, offset) => `nats-route://${clusterNodeHost(offset + 1)}:${routePort}`);
}

export function renderClusterNodeConfig(options: ClusterNodeConfigOptions): string {
  if (options.routes.length < 2) throw new TypeError('a cluster needs the route URLs of at least two nodes');
  const file = (name: string): string => join(options.certsDir, name);
  return renderNatsConfig({
    host: options.host,
    port: options.port,
    tls: { certFile: file('nats.crt'), keyFile: file('nats.key'), caFile: file('ca.crt') },
    jetStreamDir: options.storeDir,
    httpPort: options.httpPort,
    ...(options.pinsFile === undefined ? {} : { pinsFile: options.pinsFile, ...(options.configDir === undefined ? {} : { configDir: options.configDir }) }),
    cluster: {
      name: options.clusterName ?? DEFAULT_CLUSTER_NAME,
      host: options.host,
      port: options.routePort,
      routes: options.routes,
      tls: { certFile: file(`${ROUTE_FILE_STEM}.crt`), keyFile: file(`${ROUTE_FILE_STEM}.key`), caFile: file('ca.crt') },
      routeUser: ROUTE_SPIFFE_ID,
    },
  });
}
