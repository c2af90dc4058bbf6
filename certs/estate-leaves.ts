import { ESTATE_IDENTITIES, spiffeIdOf } from '#estate';

/**
 * The leaves a certs folder holds: the broker's server certificate (`nats`) and one client
 * certificate per identity, each with its SPIFFE ID as its one URI SAN (ARCHITECTURE.md
 * "Identities"). `npm run certs` and the renewer issue the same set.
 */
export interface LeafSpec {
  /** File stem: `<name>.crt`, `<name>.key`. */
  readonly name: string;
  readonly usage: 'client' | 'server';
  /** Client leaves only. */
  readonly spiffeId?: string;
}

export const BROKER_LEAF_NAME = 'nats';

export const ESTATE_LEAVES: readonly LeafSpec[] = Object.freeze([
  { name: BROKER_LEAF_NAME, usage: 'server' },
  ...ESTATE_IDENTITIES.map((identity): LeafSpec => ({ name: identity, usage: 'client', spiffeId: spiffeIdOf(identity) })),
]);
