import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { CappedReplayStore, JetStreamReplayStore, MemoryReplayStore, type ClosableReplayStore } from '#binding';
import { EstateConfigError, kvBucketOf, natsConnectionOptions } from '#estate';
import type { EdgeConfig } from './edge-config.js';

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
    readonly store: ClosableReplayStore,
    private readonly connection?: NatsConnection,
  ) {}

  static async open(config: EdgeConfig): Promise<EdgeReplayStore> {
    const limits = { maxEntries: config.replayMemory.maxEntries, maxEntriesPerScope: config.replayMemory.maxEntriesPerKey };
    if (config.replayStore === 'memory' || config.nats === undefined) return new EdgeReplayStore(new MemoryReplayStore(limits));
    const connection = await connect(natsConnectionOptions(config.nats));
    try {
      const shared = await JetStreamReplayStore.open(await new Kvm(connection).open(kvBucketOf('edge')), { connection });
      if (shared.maxTtlSeconds < config.iatPastSeconds + config.iatFutureSeconds) {
        throw new EstateConfigError('REPLAY_STORE', `the edge bucket keeps claims ${shared.maxTtlSeconds} s, less than the proof window DPOP_IAT_PAST_S + DPOP_IAT_FUTURE_S; provision it again`);
      }
      return new EdgeReplayStore(new CappedReplayStore(shared, limits), connection);
    } catch (error) {
      await connection.close().catch(() => undefined);
      throw error;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.store.close?.();
    await this.connection?.close().catch(() => undefined);
  }
}
