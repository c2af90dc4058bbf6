import { startDevFabric, type DevFabric, type DevFabricOptions } from '../../scripts/nats/dev-fabric.js';

/**
 * A complete estate fabric for e2e tests (scripts/nats/dev-fabric.ts): a fresh CA, the broker's
 * certificate and one certificate per identity written into a temporary folder (laid out like
 * certs/out/), and a supervised nats-server of our own on a free port, JetStream provisioned as
 * admin. One per test file (beforeAll/afterAll).
 */
export type { CertificateFiles } from '../../scripts/nats/dev-fabric.js';
export type EstateFabric = DevFabric;
export type EstateFabricOptions = Omit<DevFabricOptions, 'purpose' | 'connectTimeoutMs'>;

/** Short, so a refused client fails a test in seconds rather than after the 20 s default. */
export const TEST_CONNECT_TIMEOUT_MS = 2_000; // milliseconds

export function startEstateFabric(options: EstateFabricOptions = {}): Promise<EstateFabric> {
  return startDevFabric({ ...options, purpose: 'test', connectTimeoutMs: TEST_CONNECT_TIMEOUT_MS });
}
