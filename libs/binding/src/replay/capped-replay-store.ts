import { MemoryReplayStore, type MemoryReplayStoreOptions } from './memory-replay-store.js';
import type { ReplayStore } from './replay-store.js';

/** A store to cap: its claims are the ones that count. */
export interface ClosableReplayStore extends ReplayStore {
  close?(): void;
}

/**
 * E17 "bounded ... with a cap per key" for a shared store: each replica caps what one sender key
 * (and all keys together) may claim through it within the proof window, so one client cannot fill
 * the shared bucket (JetStream limits are per stream, not per key) and refuse every other client.
 *
 * A claim first goes to a local ledger (a MemoryReplayStore with `maxEntriesPerScope` and
 * `maxEntries`), then to the shared store:
 * - the ledger at its cap: refused with ReplayStoreUnavailable (503), the shared store untouched;
 * - the id already in this replica's ledger: `false` (a replay), without a round trip;
 * - otherwise the shared store decides: `true` once across replicas, `false` for a replay, a
 *   rejection when it cannot decide (fail closed).
 * An id stays in the ledger even when the shared store then rejects (unavailable): that proof is
 * refused again here rather than retried, which a fresh proof avoids. With N replicas, one key holds
 * at most N × maxEntriesPerScope claims in the shared store.
 * Does not replace the shared store's own atomicity or expiry: both decide, the ledger only limits.
 */
export class CappedReplayStore implements ReplayStore {
  private readonly ledger: MemoryReplayStore;

  constructor(
    private readonly shared: ClosableReplayStore,
    limits: Pick<MemoryReplayStoreOptions, 'maxEntries' | 'maxEntriesPerScope' | 'clock'>,
  ) {
    this.ledger = new MemoryReplayStore(limits);
  }

  async claim(scope: string, id: string, ttlSeconds: number): Promise<boolean> {
    if (!(await this.ledger.claim(scope, id, ttlSeconds))) return false;
    return this.shared.claim(scope, id, ttlSeconds);
  }

  /** Closes the ledger and the shared store (which does not close its connection). */
  close(): void {
    this.ledger.close();
    this.shared.close?.();
  }
}
