import type { KvStatus } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { integerRangeProblem, MAX_IAT_WINDOW_S } from '#binding/core';
import { provisionKvBucket } from './provision-kv-bucket.js';

/**
 * Provisions the KV bucket a workload's replicas share as their replay store (E17, H6; see
 * libs/binding JetStreamReplayStore). Run by the operator (the `admin` identity): workloads may
 * not create or change streams (jetstream-subjects.ts), so a workload only opens its bucket.
 *
 * One TTL for every key: the bucket's `max_age` is the lifetime of every claim (jetstream-replay-store.ts).
 * It is set to the proof acceptance window plus a margin for clock skew between replicas (each
 * judges `iat` by its own clock), so a claim outlives every moment its proof could be accepted.
 * `max_bytes` bounds the bucket; KV buckets discard new writes when full, so a full bucket refuses
 * claims and the store fails closed (503) rather than forgetting one.
 */
export interface ReplayBucketOptions {
  /** The workload's bucket (`kvBucketOf(workload)`, e.g. `edge`). */
  readonly bucket: string;
  /** The proof acceptance window: iat past + iat future seconds (E16, H6), e.g. 60 + 10; at most 2 * MAX_IAT_WINDOW_S. */
  readonly windowSeconds: number;
  readonly clockSkewSeconds?: number;
  readonly maxBytes?: number;
  /** `file` survives a broker restart; `memory` forgets every claim then (replays reopen for one window). */
  readonly storage?: 'file' | 'memory';
  /** Copies kept by a cluster (SECURITY.md S1); default 1. */
  readonly replicas?: number;
}

export const DEFAULT_REPLAY_CLOCK_SKEW_S = 5; // seconds between the clocks of two replicas
/** About 1.5 million claims at roughly 170 bytes each (subject, headers, index) on disk. */
export const DEFAULT_REPLAY_BUCKET_MAX_BYTES = 256 * 1024 * 1024; // bytes

/**
 * Creates the bucket, or brings an existing one to the same `max_age` and `max_bytes` (history 1,
 * file storage by default). Returns its status. Throws a TypeError for options out of range.
 */
export async function provisionReplayBucket(admin: NatsConnection, options: ReplayBucketOptions): Promise<KvStatus> {
  const window = wholeNumber(options.windowSeconds, 'windowSeconds', 1, 2 * MAX_IAT_WINDOW_S);
  const skew = wholeNumber(options.clockSkewSeconds ?? DEFAULT_REPLAY_CLOCK_SKEW_S, 'clockSkewSeconds', 0, 600);
  const maxBytes = options.maxBytes ?? DEFAULT_REPLAY_BUCKET_MAX_BYTES;
  wholeNumber(maxBytes, 'maxBytes', 1024 * 1024);
  // The store refuses a ttl above max_age - 1 s; its claims ask for the window.
  return provisionKvBucket(admin, options.bucket, { maxBytes, maxAgeMs: (window + skew + 1) * 1000, storage: options.storage, replicas: options.replicas });
}

function wholeNumber(value: unknown, name: string, min: number, max?: number): number {
  const problem = integerRangeProblem(value, min, max);
  if (problem !== undefined) throw new TypeError(`${name} ${problem}`);
  return value as number;
}
