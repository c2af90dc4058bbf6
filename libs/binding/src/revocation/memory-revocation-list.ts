import { integerOption } from '../options/integer-range.js';
import { systemClock, type Clock } from '../time/clock.js';
import { parseRevocationEvent, type RevocationKind } from './revocation-event.js';
import type { RevocationEntry, RevocationList } from './revocation-list.js';

/** Tokens live about 60 s, so `jti` entries turn over fast; 100 000 entries of 43-character values take about 10 MB (measured on Node 20). */
export const DEFAULT_REVOCATION_MAX_ENTRIES = 100_000; // live entries, all kinds together

export interface MemoryRevocationListOptions {
  readonly maxEntries?: number;
  readonly clock?: Clock;
}

/**
 * What `apply` did: `applied` (recorded or extended), `expired` (its `until` has passed: nothing
 * to do), `saturated` (the list is full of live entries: see MemoryRevocationList).
 */
export type RevocationApplyResult = 'applied' | 'expired' | 'saturated';

/**
 * H12 for one process: the revocations heard on `estate.revocations`, in memory.
 *
 * - An entry holds while `clock() <= until` and is dropped lazily on lookup, or in a sweep when
 *   the list is full. An event for a value already listed only ever extends its `until`: a
 *   revocation is never shortened or lifted early by a later message.
 * - Bounded, failing closed: when `maxEntries` live entries exist and an event cannot be stored,
 *   the list answers "revoked" to every lookup until that event's `until` has passed (`apply`
 *   returns `saturated` so the feeder can raise the alarm). Evicting a live entry, or dropping
 *   the new one, would silently un-revoke something; refusing every request is loud and safe.
 *   The feed is published only by the STS and operators (NATS permissions), so saturation means
 *   misconfiguration or an incident, not ordinary load.
 * - `apply` validates with parseRevocationEvent first; a bad event throws a TypeError and
 *   changes nothing.
 * Does not subscribe to NATS or replay JetStream history: the feeder that calls `apply` does.
 */
export class MemoryRevocationList implements RevocationList {
  private readonly entries: Readonly<Record<RevocationKind, Map<string, number>>> = {
    jti: new Map(),
    sub: new Map(),
    cert: new Map(),
  };
  private readonly maxEntries: number;
  private readonly clock: Clock;
  /** Epoch second through which every lookup answers revoked; 0 while the list has never overflowed. */
  private saturatedUntil = 0;

  constructor(options: MemoryRevocationListOptions = {}) {
    const maxEntries = options.maxEntries ?? DEFAULT_REVOCATION_MAX_ENTRIES;
    this.maxEntries = integerOption(maxEntries, 'revocation list: maxEntries', 1);
    this.clock = options.clock ?? systemClock;
  }

  /** Records one revocation event (validated here; see parseRevocationEvent). */
  apply(input: unknown): RevocationApplyResult {
    const event = parseRevocationEvent(input);
    const now = this.clock();
    if (event.until < now) return 'expired';
    const entries = this.entries[event.kind];
    const current = entries.get(event.value);
    if (current !== undefined) {
      if (event.until > current) entries.set(event.value, event.until);
      return 'applied';
    }
    if (this.size >= this.maxEntries) this.sweep(now);
    if (this.size >= this.maxEntries) {
      this.saturatedUntil = Math.max(this.saturatedUntil, event.until);
      return 'saturated';
    }
    entries.set(event.value, event.until);
    return 'applied';
  }

  isRevoked(entry: RevocationEntry): boolean {
    const now = this.clock();
    if (now <= this.saturatedUntil) return true;
    return (
      this.holds('jti', entry.tokenId, now) ||
      this.holds('sub', entry.subject, now) ||
      this.holds('cert', entry.certificateThumbprint, now)
    );
  }

  /** Live and lapsed-but-unswept entries together. */
  get size(): number {
    return this.entries.jti.size + this.entries.sub.size + this.entries.cert.size;
  }

  private holds(kind: RevocationKind, value: string | undefined, now: number): boolean {
    if (value === undefined) return false;
    const entries = this.entries[kind];
    const until = entries.get(value);
    if (until === undefined) return false;
    if (now <= until) return true;
    entries.delete(value);
    return false;
  }

  private sweep(now: number): void {
    for (const entries of Object.values(this.entries)) {
      for (const [value, until] of entries) if (now > until) entries.delete(value);
    }
  }
}
