import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Kvm } from '@nats-io/kv';
import { CappedReplayStore, MemoryReplayStore, type ReplayStore } from '#binding/core';
import { JetStreamReplayStore } from '#binding/hop';
import { EstateConfigError, kvBucketOf, natsConnectionOptions, natsTlsOptions, RotatingConnection } from '#estate';
import type { EdgeConfig } from './edge-config.js';
import type { EdgeIdentity } from './edge-identity.js';

/**
 * E17: where the edge claims proof `jti`s, opened once at start-up and closed with the app.
 * - `REPLAY_STORE=memory`: this process (one replica only), bounded by EDGE_REPLAY_MAX_ENTRIES and
 *   EDGE_REPLAY_MAX_PER_KEY (full: 503, fail closed).
 * - `jetstream`: the edge's KV bucket, shared by every replica, on a connection of its own; each
 *   replica caps its claims with the same two bounds (CappedReplayStore), so one client cannot
 *   fill the bucket. The operator provisions it (scripts/nats/provision-jetstream.ts); start-up
 *   fails when it is missing or its max_age does not cover the proof window.
 */
@Injectable()
export class EdgeReplayStore implements OnApplicationShutdown {
  private constructor(
    readonly store: ReplayStore & { close?(): void },
    private readonly rotating?: RotatingConnection,
  ) {}

  /** Its connection follows the edge's renewed certificate, make-before-break (L3: EdgeIdentity). */
  static async open(config: EdgeConfig, edge: EdgeIdentity): Promise<EdgeReplayStore> {
    const limits = { maxEntries: config.replayMemory.maxEntries, maxEntriesPerScope: config.replayMemory.maxEntriesPerKey };
    if (config.replayStore === 'memory' || config.nats === undefined) return new EdgeReplayStore(new MemoryReplayStore(limits));
    const openedWith = edge.identity!.current;
    const rotating = await RotatingConnection.open({ ...natsConnectionOptions(config.nats), tls: natsTlsOptions(openedWith) }, config.nats.requestTimeoutMs);
    const connection = rotating.connection;
    try {
      const shared = await JetStreamReplayStore.open(await new Kvm(connection).open(kvBucketOf('edge')), { connection });
      if (shared.maxTtlSeconds < config.iatPastSeconds + config.iatFutureSeconds) {
        throw new EstateConfigError('REPLAY_STORE', `the edge bucket keeps claims ${shared.maxTtlSeconds} s, less than the proof window DPOP_IAT_PAST_S + DPOP_IAT_FUTURE_S; provision it again`);
      }
      edge.identity!.follow(rotating, openedWith);
      return new EdgeReplayStore(new CappedReplayStore(shared, limits), rotating);
    } catch (error) {
      await connection.close().catch(() => undefined);
      throw error;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.store.close?.();
    await this.rotating?.close().catch(() => undefined);
  }
}
