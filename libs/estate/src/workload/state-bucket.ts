import { jetstream, JetStreamApiError } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { errors } from '@nats-io/transport-node';
import { RpcException } from '@nestjs/microservices';
import { stateBucketOf, type Workload } from '../identity/estate-identity.js';
import type { EstateLink } from './estate-link.js';

/**
 * How long one state bucket operation may wait for JetStream (nats.js's default is 5 s). A write
 * sent while the bucket's raft group has no leader (its leader's node was lost, SECURITY.md S2)
 * is not refused by nats-server: it waits out this timeout, and the caller's answer with it. So it
 * is short, like a replay claim's (DEFAULT_REPLAY_CLAIM_TIMEOUT_MS): the workload answers 503
 * promptly and the client's next try reaches the new leader once nats-server has elected it.
 */
export const STATE_BUCKET_TIMEOUT_MS = 1_000; // milliseconds

/**
 * Opens the workload's durable state bucket (`<workload>-state`), which the operator provisions
 * (workloads may not create streams). Its status is read at once, so a missing bucket stops the
 * app at start-up with a message saying what to run, rather than failing its first request.
 */
export async function openStateBucket(link: EstateLink, workload: Workload): Promise<KV> {
  const name = stateBucketOf(workload);
  const bucket = await new Kvm(jetstream(link.connection, { timeout: STATE_BUCKET_TIMEOUT_MS })).open(name);
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

/** The status JetStream gives for "no responders" and "temporarily unavailable" (err_code 10008). */
const UNAVAILABLE_STATUS = 503;

/**
 * Whether `error` is the state bucket not answering (no reply within STATE_BUCKET_TIMEOUT_MS, no
 * JetStream responder, JetStream's own 503, the connection closed or draining), as opposed to a
 * refusal (the quota, a permission, a conflict).
 */
export function isStateBucketUnavailable(error: unknown): boolean {
  return error instanceof errors.TimeoutError || error instanceof errors.ClosedConnectionError || error instanceof errors.DrainingConnectionError
    || (error instanceof JetStreamApiError && error.status === UNAVAILABLE_STATUS)
    // Neither is exported by @nats-io/jetstream's entry point: known by name.
    || (error instanceof Error && error.name === 'JetStreamStatusError' && (error as { code?: unknown }).code === UNAVAILABLE_STATUS)
    || (error instanceof Error && error.name === 'JetStreamNotEnabled');
}

/** The reply of a workload whose state bucket did not answer: a prompt 503 the caller may retry, as for a full one. */
export function stateBucketUnavailableException(workload: Workload): RpcException {
  return new RpcException({ code: 'temporarily_unavailable', type: 'storage_unavailable', status: 503, message: `${stateBucketOf(workload)} did not answer` });
}

/**
 * The reply of a workload whose state bucket is full: a prompt 503 the caller may retry later,
 * not a 500. The edge answers its client 503 with Retry-After, as for any unavailable hop.
 */
export function stateBucketFullException(workload: Workload): RpcException {
  return new RpcException({ code: 'temporarily_unavailable', type: 'storage_full', status: 503, message: `${stateBucketOf(workload)} is full` });
}
