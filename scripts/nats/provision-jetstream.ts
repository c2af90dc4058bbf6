import { jetstreamManager, JetStreamApiCodes, JetStreamApiError, type StreamConfig } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { ADMIN_IDENTITY, EstateStreams, EstateSubjects, HOP_PROOF_WINDOW_S, integerVariable, kvBucketOf, loadEstateConfig, natsConnectionOptions, stateBucketOf, WORKLOADS, type Env } from '#estate';
import { provisionKvBucket } from './provision-kv-bucket.js';
import { provisionReplayBucket } from './provision-replay-bucket.js';
import { updateStream } from './provision-stream-update.js';

/**
 * The JetStream state of the estate that the operator (the `admin` identity) provisions, because
 * workloads may not create or change streams (jetstream-subjects.ts):
 * - the REVOCATIONS stream, capturing `estate.revocations`: every announced revocation is kept as
 *   long as one may last, so a service that starts later replays those in force (H12);
 * - each workload's replay bucket (`kvBucketOf`: edge, sts, orders, inventory), where its replicas
 *   claim proof `jti`s together (E17, H6), keeping each claim for the proof window and clock skew;
 * - the durable state buckets of orders and inventory (`<workload>-state`, history 1, no TTL), each
 *   with a quota (STATE_BUCKET_MAX_BYTES): a full bucket refuses new keys and the workload answers
 *   503, but the broker's disk, which the REVOCATIONS stream and the shared replay store also use,
 *   never fills with orders.
 * Idempotent: run it after every broker start; an existing stream or bucket is brought to this
 * configuration.
 */
export const MAX_REVOCATION_TTL_S = 7 * 86_400; // seconds: the longest revocation `npm run revoke` accepts
/** As many as a service's revocation list holds (DEFAULT_REVOCATION_MAX_ENTRIES). */
export const REVOCATION_STREAM_MAX_MESSAGES = 100_000; // messages
export const REVOCATION_STREAM_MAX_BYTES = 64 * 1024 * 1024; // bytes
/**
 * About 60,000 demo orders (an order is about 1 KB); STATE_BUCKET_MAX_BYTES sets it. JetStream
 * reserves every stream's max_bytes in the server's file store (1 GiB in render-nats-config.ts):
 * both state buckets, REVOCATIONS and the four replay buckets must fit in it together (448 MiB).
 */
export const DEFAULT_STATE_BUCKET_MAX_BYTES = 64 * 1024 * 1024; // bytes
const MIN_STATE_BUCKET_MAX_BYTES = 16 * 1024; // bytes
const MAX_STATE_BUCKET_MAX_BYTES = 1024 ** 4; // bytes
const NANOS_PER_SECOND = 1_000_000_000;

export interface ProvisionOptions {
  /** Each state bucket's quota in bytes. Default DEFAULT_STATE_BUCKET_MAX_BYTES. */
  readonly stateBucketMaxBytes?: number;
  /**
   * Copies of every asset (SECURITY.md S1). Default: CLUSTER_REPLICAS when the server the admin
   * is connected to belongs to a cluster, else 1. An existing asset with another count is updated.
   */
  readonly replicas?: number;
}

/** Every JetStream asset on a cluster: three copies, so one node lost keeps a majority (S1, S2). */
export const CLUSTER_REPLICAS = 3;

/** What `replicas` defaults to: CLUSTER_REPLICAS on a cluster node (its INFO names the cluster), else 1. */
export function defaultReplicas(admin: NatsConnection): number {
  return admin.info?.cluster === undefined || admin.info.cluster === '' ? 1 : CLUSTER_REPLICAS;
}

/** Each workload's replay bucket: about 400,000 claims a window, some 5,000 proofs/s per workload. */
export const ESTATE_REPLAY_BUCKET_MAX_BYTES = 64 * 1024 * 1024; // bytes

export interface ProvisionedJetStream {
  readonly revocationStream: string;
  readonly replayBuckets: readonly string[];
  readonly stateBuckets: readonly string[];
  readonly replicas: number;
}

export async function provisionEstateJetStream(admin: NatsConnection, options: ProvisionOptions = {}): Promise<ProvisionedJetStream> {
  const replicas = options.replicas ?? defaultReplicas(admin);
  await provisionRevocationStream(admin, replicas);
  const replayBuckets = WORKLOADS.map(kvBucketOf);
  for (const bucket of replayBuckets) await provisionReplayBucket(admin, { bucket, windowSeconds: HOP_PROOF_WINDOW_S, maxBytes: ESTATE_REPLAY_BUCKET_MAX_BYTES, replicas });
  const stateBuckets = [stateBucketOf('orders'), stateBucketOf('inventory')];
  for (const bucket of stateBuckets) await provisionKvBucket(admin, bucket, { maxBytes: options.stateBucketMaxBytes ?? DEFAULT_STATE_BUCKET_MAX_BYTES, replicas });
  return Object.freeze({ revocationStream: EstateStreams.revocations, replayBuckets: Object.freeze(replayBuckets), stateBuckets: Object.freeze(stateBuckets), replicas });
}

/**
 * The operator's run: connects as `admin` (NATS_URL, and admin.crt/admin.key/ca.crt in CERTS_DIR,
 * read as every app reads its identity), provisions, and disconnects, even when provisioning fails.
 * STATE_BUCKET_MAX_BYTES, when set, is each state bucket's quota; a bad value is refused first.
 * JETSTREAM_REPLICAS, when set, is the copies of every asset (else: 3 on a cluster, 1 alone).
 */
export async function provisionAsAdmin(env: Env): Promise<ProvisionedJetStream> {
  const stateBucketMaxBytes = integerVariable(env, 'STATE_BUCKET_MAX_BYTES', DEFAULT_STATE_BUCKET_MAX_BYTES, MIN_STATE_BUCKET_MAX_BYTES, MAX_STATE_BUCKET_MAX_BYTES);
  const replicasSet = env['JETSTREAM_REPLICAS'] !== undefined && env['JETSTREAM_REPLICAS'].trim() !== '';
  const replicas = replicasSet ? integerVariable(env, 'JETSTREAM_REPLICAS', 1, 1, 5) : undefined;
  const admin = await connect({ ...natsConnectionOptions(loadEstateConfig(env, ADMIN_IDENTITY)), reconnect: false });
  try {
    return await provisionEstateJetStream(admin, { stateBucketMaxBytes, ...(replicas === undefined ? {} : { replicas }) });
  } finally {
    await admin.close();
  }
}

/**
 * The stream keeps each announcement `MAX_REVOCATION_TTL_S` (no revocation lasts longer), at most
 * REVOCATION_STREAM_MAX_MESSAGES, discarding the oldest first: an old announcement has lapsed
 * before a newer one. File storage survives a broker restart.
 */
async function provisionRevocationStream(admin: NatsConnection, replicas: number): Promise<void> {
  const manager = await jetstreamManager(admin);
  const wanted: Partial<StreamConfig> = {
    subjects: [EstateSubjects.revocations],
    storage: 'file' as StreamConfig['storage'],
    retention: 'limits' as StreamConfig['retention'],
    discard: 'old' as StreamConfig['discard'],
    max_age: MAX_REVOCATION_TTL_S * NANOS_PER_SECOND,
    max_msgs: REVOCATION_STREAM_MAX_MESSAGES,
    max_bytes: REVOCATION_STREAM_MAX_BYTES,
    num_replicas: replicas,
  };
  try {
    const { config } = await manager.streams.info(EstateStreams.revocations);
    const same = config.max_age === wanted.max_age && config.max_msgs === wanted.max_msgs && config.max_bytes === wanted.max_bytes
      && config.subjects?.length === 1 && config.subjects[0] === EstateSubjects.revocations && config.num_replicas === replicas;
    if (!same) await updateStream(admin, EstateStreams.revocations, wanted);
  } catch (error) {
    if (!(error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound)) throw error;
    await manager.streams.add({ name: EstateStreams.revocations, ...wanted });
  }
}
