import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import {
  createAccessTokenVerifier,
  createDpopVerifier,
  createRemoteKeySet,
  discoverRemoteKeySet,
  CappedReplayStore,
  JetStreamReplayStore,
  MemoryReplayStore,
  type BindingModuleOptions,
  type RemoteKeySet,
  type ReplayStore,
} from '#binding';
import { EstateConfigError, kvBucketOf, natsConnectionOptions } from '#estate';
import type { EdgeConfig } from './edge-config.js';
import type { EdgeRevocations } from './edge-revocations.js';

/**
 * Builds the edge's DPoP verifier once, at start-up, from its configuration: the issuer's keys
 * (JWKS URI, or discovered from the issuer's metadata), the token verifier, the replay store,
 * the nonce settings and, with NATS, the revocations (H12). All checking lives in libs/binding;
 * this file only wires it.
 */
export async function createEdgeBinding(config: EdgeConfig, revocations: EdgeRevocations): Promise<BindingModuleOptions> {
  // An http issuer is a development set-up the operator chose explicitly; https otherwise.
  const allowHttp = config.issuer.startsWith('http:');
  const keys: RemoteKeySet =
    config.jwksUri === undefined
      ? (await discoverRemoteKeySet(config.issuer, { allowHttp, cooldownMs: config.jwksCooldownMs })).keys
      : createRemoteKeySet(config.jwksUri, { allowHttp, cooldownMs: config.jwksCooldownMs });
  const tokenVerifier = createAccessTokenVerifier({ issuer: config.issuer, audience: config.audience, keys });
  const dpop = createDpopVerifier({
    tokenVerifier,
    replayStore: await createReplayStore(config),
    origins: [config.publicUrl],
    pathPrefix: config.pathPrefix === '' ? undefined : config.pathPrefix,
    trustedProxies: config.trustedProxies,
    algorithms: config.dpopAlgorithms,
    nonce: config.nonceMode === 'off' ? undefined : { mode: config.nonceMode, secret: config.nonceSecret },
    iatPastSeconds: config.iatPastSeconds,
    iatFutureSeconds: config.iatFutureSeconds,
    revocations: revocations.list,
  });
  return { dpop };
}

/**
 * E17: `REPLAY_STORE=memory` claims jtis in this process (one replica only), bounded by
 * EDGE_REPLAY_MAX_ENTRIES and EDGE_REPLAY_MAX_PER_KEY (full: 503, fail closed); `jetstream` in the
 * edge's KV bucket, shared by every replica, each replica capping its claims with the same two
 * bounds (CappedReplayStore). The bucket is provisioned by the operator
 * (scripts/nats/provision-replay-bucket.ts); start-up fails when it is missing or its max_age
 * does not cover the proof window. The connection lives as long as the process.
 */
async function createReplayStore(config: EdgeConfig): Promise<ReplayStore> {
  const limits = { maxEntries: config.replayMemory.maxEntries, maxEntriesPerScope: config.replayMemory.maxEntriesPerKey };
  if (config.replayStore === 'memory' || config.nats === undefined) return new MemoryReplayStore(limits);
  const connection = await connect(natsConnectionOptions(config.nats));
  const store = await JetStreamReplayStore.open(await new Kvm(connection).open(kvBucketOf('edge')), { connection });
  if (store.maxTtlSeconds < config.iatPastSeconds + config.iatFutureSeconds) {
    await connection.close();
    throw new EstateConfigError('REPLAY_STORE', `the edge bucket keeps claims ${store.maxTtlSeconds} s, less than the proof window DPOP_IAT_PAST_S + DPOP_IAT_FUTURE_S; provision it again`);
  }
  // The same per-key and total caps, per replica, so one client cannot fill the shared bucket.
  return new CappedReplayStore(store, limits);
}
