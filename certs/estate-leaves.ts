import { integerRangeProblem } from '#binding/core';
import { ESTATE_IDENTITIES, spiffeIdOf, TRUST_DOMAIN } from '#estate';
import { DEFAULT_SERVER_DNS_NAMES } from './subject-alternative-names.js';

/**
 * The leaves a certs folder holds: the broker's server certificate (`nats`) and one client
 * certificate per identity, each with its SPIFFE ID as its one URI SAN (ARCHITECTURE.md
 * "Identities"). `npm run certs` and the renewer issue the same set. A cluster adds one route
 * certificate per broker node (clusterRouteLeaves).
 */
export interface LeafSpec {
  /** File stem: `<name>.crt`, `<name>.key`. */
  readonly name: string;
  readonly usage: 'client' | 'server' | 'route';
  /** Client leaves: their one URI SAN. Route leaves: the route identity the cluster admits. */
  readonly spiffeId?: string;
  /** Server and route leaves: host names (default: localhost and `nats`). Must include localhost. */
  readonly dnsNames?: readonly string[];
}

export const BROKER_LEAF_NAME = 'nats';

export const ESTATE_LEAVES: readonly LeafSpec[] = Object.freeze([
  { name: BROKER_LEAF_NAME, usage: 'server' },
  ...ESTATE_IDENTITIES.map((identity): LeafSpec => ({ name: identity, usage: 'client', spiffeId: spiffeIdOf(identity) })),
]);

/**
 * SECURITY.md T6: the identity every broker node's route certificate carries as its URI SAN; the
 * cluster's `authorization { user }` with `tls { verify_and_map }` admits only it. It is no NATS
 * client user, so the same certificate presented on a client port maps to nobody (T2).
 */
export const ROUTE_SPIFFE_ID = `spiffe://${TRUST_DOMAIN}/nats-route`;

/** The route leaf of node `index` (1-based): `nats-route-<index>.crt/key`. */
export function routeLeafName(index: number): string {
  return `nats-route-${index}`;
}

/** Node `index`'s (1-based) host name where nodes are named by host (compose's `cluster` profile). */
export function clusterNodeHost(index: number): string {
  return `nats-${index}`;
}

/** One route leaf per node, each naming its node (`nats-<index>`) besides localhost. */
export function clusterRouteLeaves(nodes: number): readonly LeafSpec[] {
  return Object.freeze(Array.from({ length: nodes }, (_, offset): LeafSpec => ({
    name: routeLeafName(offset + 1),
    usage: 'route',
    spiffeId: ROUTE_SPIFFE_ID,
    dnsNames: ['localhost', clusterNodeHost(offset + 1), BROKER_LEAF_NAME],
  })));
}

/**
 * The leaves of an estate whose clients may also dial `nodes` cluster nodes by host name
 * (compose's `cluster` profile beside the single broker `nats`): the broker's certificate also
 * names every node (`nats-<index>`), since every node serves clients with it, and one route leaf
 * per node. With 0 nodes, ESTATE_LEAVES.
 */
export function estateLeavesWithCluster(nodes: number): readonly LeafSpec[] {
  const problem = integerRangeProblem(nodes, 0);
  if (problem !== undefined) throw new TypeError(`nodes ${problem}`);
  if (nodes === 0) return ESTATE_LEAVES;
  const hosts = Array.from({ length: nodes }, (_, offset) => clusterNodeHost(offset + 1));
  return Object.freeze([
    ...ESTATE_LEAVES.map((leaf): LeafSpec => (leaf.name === BROKER_LEAF_NAME ? { ...leaf, dnsNames: [...DEFAULT_SERVER_DNS_NAMES, ...hosts] } : leaf)),
    ...clusterRouteLeaves(nodes),
  ]);
}
