import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { LoadingRevocationList, MemoryRevocationList } from '#binding/core';
import type { RevocationFeed } from '#binding/hop';
import {
  natsConnectionOptions, natsTlsOptions, observeRevocationsInForce, RotatingConnection, startEstateRevocationFeed, workloadTelemetry, type EstateConfig,
  type WorkloadIdentity,
} from '#estate';
import type { EdgeConfig } from './edge-config.js';
import type { EdgeIdentity } from './edge-identity.js';

/** After a failed start of the feed (the stream not provisioned yet), the next try waits this long. */
export const EDGE_REVOCATION_RETRY_MS = 2_000; // milliseconds

/**
 * H12 at the edge: the revocations announced on `estate.revocations`, fed in the background so
 * that the edge starts while the broker is still down. Until the revocations in force have been
 * replayed from the REVOCATIONS stream, the DPoP routes answer 503 (LoadingRevocationList): an
 * empty list would accept a revoked token. Once loaded, the list keeps what it learned through a
 * broker outage, and the feed replays what it missed when the connection is back.
 * Without NATS (NATS_URL unset) there is no list and the edge applies no revocation.
 */
@Injectable()
export class EdgeRevocations implements OnApplicationShutdown {
  private readonly logger = new Logger('EdgeRevocations');
  private connection: RotatingConnection | undefined;
  private feed: RevocationFeed | undefined;
  private closed = false;

  private constructor(readonly list: LoadingRevocationList | undefined) {}

  /** Its connection follows the edge's renewed certificate, make-before-break (L3: EdgeIdentity). */
  static open(config: EdgeConfig, edge: EdgeIdentity): EdgeRevocations {
    if (config.nats === undefined) return new EdgeRevocations(undefined);
    const memory = new MemoryRevocationList();
    // O1: the edge's revocations in force, beside the services' (their estate link registers theirs).
    observeRevocationsInForce('edge', memory);
    const revocations = new EdgeRevocations(new LoadingRevocationList(memory));
    void revocations.load(config.nats, memory, edge.identity!);
    return revocations;
  }

  /**
   * Connects, then starts the feed, each retried every EDGE_REVOCATION_RETRY_MS until it works or
   * the edge shuts down: a broker that is down, or a stream not provisioned yet, at start-up is
   * waited for (503 meanwhile), not a failed start.
   */
  private async load(nats: EstateConfig<'edge'>, memory: MemoryRevocationList, identity: WorkloadIdentity): Promise<void> {
    while (!this.closed && this.feed === undefined) {
      try {
        if (this.connection === undefined) {
          const openedWith = identity.current;
          this.connection = await RotatingConnection.open({ ...natsConnectionOptions(nats), tls: natsTlsOptions(openedWith) }, nats.requestTimeoutMs);
          identity.follow(this.connection, openedWith);
        }
        if (this.closed) break;
        this.feed = await startEstateRevocationFeed(
          this.connection.connection,
          memory,
          (problem) => this.logger.warn(`revocation feed: ${problem.kind}`),
          workloadTelemetry('edge').revocations, // O1: the lag from publish to applied
        );
        this.list?.loaded();
        this.logger.log('revocations in force loaded; applying estate.revocations');
      } catch (error) {
        this.logger.warn(`revocations not loaded yet, DPoP routes answer 503 (${error instanceof Error ? error.message : String(error)}); retrying`);
        await new Promise((resolve) => setTimeout(resolve, EDGE_REVOCATION_RETRY_MS).unref());
      }
    }
    // Shut down meanwhile: what opened after the shutdown hook ran is closed here.
    if (this.closed) await this.close();
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    await this.close();
  }

  private async close(): Promise<void> {
    await this.feed?.close().catch(() => undefined);
    await this.connection?.close().catch(() => undefined);
  }
}
