import { startDevFabric, type DevFabric, type DevFabricRotation } from '../../scripts/nats/dev-fabric.js';

/**
 * The estate's NATS fabric for one bench scenario (scripts/nats/dev-fabric.ts, as the e2e tests
 * use it): a fresh CA and one certificate per identity in a temporary CERTS_DIR, the nats-server
 * the scripts start (mTLS with `verify_and_map`, the estate's permission table unchanged) and
 * JetStream provisioned as admin, as the operator does.
 */
export type BenchFabric = DevFabric;

/** A refused or unreachable broker fails the bench in seconds, not after the 5 s default per try. */
const CONNECT_TIMEOUT_MS = 2_000; // milliseconds

/**
 * With `rotation`, short-lived certificates renewed live and broker pins, as the estate runs them;
 * with `cluster`, three nodes with JetStream at R3 (issue 11) instead of one.
 */
export function startBenchFabric(rotation?: DevFabricRotation, cluster = false): Promise<BenchFabric> {
  return startDevFabric({ purpose: 'bench', connectTimeoutMs: CONNECT_TIMEOUT_MS, ...(rotation === undefined ? {} : { rotation }), ...(cluster ? { cluster: true } : {}) });
}
