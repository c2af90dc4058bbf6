import { startDevFabric, type DevFabric, type DevFabricOptions } from '../scripts/nats/dev-fabric.js';

/**
 * A complete estate fabric for an e2e test file or a bench scenario (scripts/nats/dev-fabric.ts,
 * the fabric `npm run estate` runs on): a fresh CA, the broker's certificate and one certificate
 * per identity written into a temporary folder (laid out like certs/out/), and a supervised
 * nats-server of our own on a free port (mTLS with `verify_and_map`, the estate's permission
 * table unchanged), JetStream provisioned as admin as the operator does. One per test file
 * (beforeAll/afterAll) or per bench scenario.
 */
export type { CertificateFiles } from '../scripts/nats/dev-fabric.js';
export type EstateFabric = DevFabric;
export type EstateFabricOptions = Omit<DevFabricOptions, 'purpose' | 'connectTimeoutMs'> & {
  /** Who it is for: names the temporary folder and the CA. Default `test`. */
  readonly purpose?: 'test' | 'bench';
};

/** Short, so a refused client fails a test (or the bench) in seconds rather than after the 20 s default. */
export const TEST_CONNECT_TIMEOUT_MS = 2_000; // milliseconds

export function startEstateFabric(options: EstateFabricOptions = {}): Promise<EstateFabric> {
  return startDevFabric({ purpose: 'test', ...options, connectTimeoutMs: TEST_CONNECT_TIMEOUT_MS });
}
