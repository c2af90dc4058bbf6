import { Kvm, type KvStatus } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { updateStream } from './provision-stream-update.js';

export interface KvBucketLimits {
  /** The bucket's quota: full, it refuses new keys (KV buckets discard new writes). */
  readonly maxBytes: number;
  /** How long every entry is kept (the stream's `max_age`); none when absent. */
  readonly maxAgeMs?: number;
  readonly storage?: 'file' | 'memory';
  /** Copies kept by a cluster (SECURITY.md S1: 3 on three nodes); default 1. */
  readonly replicas?: number;
}

/**
 * Creates a KV bucket with history 1 and these limits, or brings an existing one to them: create()
 * opens an existing stream unchanged, so its limits are compared and updated here. Run as the
 * operator (workloads may not create or change streams). Returns the bucket's status.
 */
export async function provisionKvBucket(admin: NatsConnection, bucket: string, limits: KvBucketLimits): Promise<KvStatus> {
  const maxAgeMs = limits.maxAgeMs ?? 0;
  const replicas = limits.replicas ?? 1;
  const kvm = new Kvm(admin);
  const kv = await kvm.create(bucket, { history: 1, storage: limits.storage ?? 'file', max_bytes: limits.maxBytes, replicas, ...(maxAgeMs > 0 ? { ttl: maxAgeMs } : {}) });
  const status = await kv.status();
  if (status.ttl === maxAgeMs && status.max_bytes === limits.maxBytes && status.replicas === replicas) return status;
  const config = status.streamInfo.config;
  const nanos = maxAgeMs * 1_000_000;
  // The duplicate window may not exceed max_age (KV sets it to the ttl when creating).
  const duplicateWindow = nanos > 0 ? { duplicate_window: Math.min(config.duplicate_window ?? nanos, nanos) } : {};
  // An R1 bucket is brought to R3 in place: nats-server (2.10 and later) copies it to the new peers.
  await updateStream(admin, config.name, { ...config, max_age: nanos, max_bytes: limits.maxBytes, num_replicas: replicas, ...duplicateWindow });
  return kv.status();
}
