import { setTimeout as sleep } from 'node:timers/promises';
import type { Env } from '#estate';
import { provisionAsAdmin, type ProvisionedJetStream } from './provision-jetstream.js';

/**
 * provisionAsAdmin against a cluster that may still be forming: until its nodes have routed to
 * each other and elected a JetStream meta leader, the JetStream API answers "temporarily
 * unavailable", "no suitable peers" or not at all, and an R3 asset cannot be placed. Those are
 * retried every PROVISION_RETRY_MS up to `timeoutMs`; the last error is thrown after it (a real
 * refusal, e.g. the admin certificate missing, is thrown then too, with its own words).
 */
export const DEFAULT_CLUSTER_PROVISION_TIMEOUT_MS = 60_000; // milliseconds: three nodes on a busy 2-core machine
const PROVISION_RETRY_MS = 500; // milliseconds

export async function provisionCluster(env: Env, timeoutMs = DEFAULT_CLUSTER_PROVISION_TIMEOUT_MS): Promise<ProvisionedJetStream> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await provisionAsAdmin(env);
    } catch (error) {
      if (Date.now() + PROVISION_RETRY_MS > deadline) {
        throw new Error(`the cluster did not accept its JetStream assets within ${timeoutMs} ms: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
      await sleep(PROVISION_RETRY_MS);
    }
  }
}
