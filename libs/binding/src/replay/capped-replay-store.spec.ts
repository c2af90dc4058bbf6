import { describe, expect, it } from '@jest/globals';
import { sha256Base64url } from '../crypto/digest.js';
import { FailureType } from '../errors/failure-type.js';
import { CappedReplayStore } from './capped-replay-store.js';
import { MemoryReplayStore } from './memory-replay-store.js';
import type { ReplayStore } from './replay-store.js';

const ATTACKER = sha256Base64url('attacker-jwk');
const VICTIM = sha256Base64url('victim-jwk');
const jti = (value: string): string => sha256Base64url(value);
const CAPPED = { code: 'temporarily_unavailable', type: FailureType.ReplayStoreUnavailable };

/** A real shared store (two replicas share this one instance), counting what reaches it. */
class Shared implements ReplayStore {
  readonly store = new MemoryReplayStore({ sweepIntervalMs: 0, maxEntries: 1_000, maxEntriesPerScope: 1_000 });
  claims = 0;
  async claim(scope: string, id: string, ttlSeconds: number): Promise<boolean> {
    this.claims += 1;
    return this.store.claim(scope, id, ttlSeconds);
  }
  close(): void {
    this.store.close();
  }
}

describe('CappedReplayStore: E17 cap per key in front of a shared store', () => {
  it('E17: one key at its cap is refused 503 without reaching the shared store; another key still claims', async () => {
    const shared = new Shared();
    const replica = new CappedReplayStore(shared, { maxEntries: 10, maxEntriesPerScope: 3 });
    for (let index = 0; index < 3; index += 1) await expect(replica.claim(ATTACKER, jti(`a${index}`), 70)).resolves.toBe(true);
    await expect(replica.claim(ATTACKER, jti('a3'), 70)).rejects.toMatchObject(CAPPED);
    expect(shared.claims).toBe(3);
    await expect(replica.claim(VICTIM, jti('v0'), 70)).resolves.toBe(true);
    replica.close();
  });

  it('E17: a replay seen by this replica is refused without a round trip; one seen by another replica is refused by the shared store', async () => {
    const shared = new Shared();
    const [first, second] = [new CappedReplayStore(shared, {}), new CappedReplayStore(shared, {})];
    const id = jti('once');
    await expect(first.claim(VICTIM, id, 70)).resolves.toBe(true);
    await expect(first.claim(VICTIM, id, 70)).resolves.toBe(false);
    expect(shared.claims).toBe(1);
    await expect(second.claim(VICTIM, id, 70)).resolves.toBe(false);
    expect(shared.claims).toBe(2);
    first.close();
    second.close();
  });

  it('E17: the total cap of a replica refuses every key once reached (fail closed, nothing evicted)', async () => {
    const replica = new CappedReplayStore(new Shared(), { maxEntries: 2, maxEntriesPerScope: 2 });
    await expect(replica.claim(ATTACKER, jti('1'), 70)).resolves.toBe(true);
    await expect(replica.claim(VICTIM, jti('2'), 70)).resolves.toBe(true);
    await expect(replica.claim(VICTIM, jti('3'), 70)).rejects.toMatchObject(CAPPED);
    replica.close();
  });

  it('E17: a shared store that cannot decide is a rejection, never an accept, and the proof is not accepted on retry either', async () => {
    const shared = new Shared();
    shared.close(); // a closed store rejects every claim
    const replica = new CappedReplayStore(shared, {});
    const id = jti('during-outage');
    await expect(replica.claim(VICTIM, id, 70)).rejects.toMatchObject(CAPPED);
    await expect(replica.claim(VICTIM, id, 70)).resolves.toBe(false);
    replica.close();
  });
});
