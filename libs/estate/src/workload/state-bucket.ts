import { JetStreamApiError } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { RpcException } from '@nestjs/microservices';
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

/** JetStream's err_code when a write would take a stream past its max_bytes ("maximum bytes exceeded"). */
const MAXIMUM_BYTES_EXCEEDED = 10077;

/** Whether `error` is the state bucket's quota refusing a new key (STATE_BUCKET_MAX_BYTES). */
export function isStateBucketFull(error: unknown): boolean {
  return error instanceof JetStreamApiError && error.code === MAXIMUM_BYTES_EXCEEDED;
}

/**
 * The reply of a workload whose state bucket is full: a prompt 503 the caller may retry later,
 * not a 500. The edge answers its client 503 with Retry-After, as for any unavailable hop.
 */
export function stateBucketFullException(workload: Workload): RpcException {
  return new RpcException({ code: 'temporarily_unavailable', type: 'storage_full', status: 503, message: `${stateBucketOf(workload)} is full` });
}
