import { Kvm, type KV } from '@nats-io/kv';
import { stateBucketOf, type Workload } from '../identity/estate-identity.js';
import type { EstateLink } from './estate-link.js';

/**
 * Opens the workload's durable state bucket (`<workload>-state`), which the operator provisions
 * (workloads may not create streams). Its status is read at once, so a missing bucket stops the
 * app at start-up with a message saying what to run, rather than failing its first request.
 */
export async function openStateBucket(link: EstateLink, workload: Workload): Promise<KV> {
  const name = stateBucketOf(workload);
  const bucket = await new Kvm(link.connection).open(name);
  try {
    await bucket.status();
  } catch (cause) {
    throw new Error(`KV bucket ${name} is not available: provision JetStream as admin (node dist/scripts/nats/main.js provision)`, { cause });
  }
  return bucket;
}
