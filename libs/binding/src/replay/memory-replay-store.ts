import { BindingConfigError, BindingError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import { integerOption } from '../options/integer-range.js';
import { systemClock, type Clock } from '../time/clock.js';
import type { ReplayStore } from './replay-store.js';

/** 100 000 entries over a 70 s proof window sustain about 1 400 requests per second per process. */
export const DEFAULT_REPLAY_MAX_ENTRIES = 100_000; // entries, all senders together
/** 10 000 entries over a 70 s proof window sustain about 140 requests per second per sender key. */
export const DEFAULT_REPLAY_MAX_ENTRIES_PER_SCOPE = 10_000; // entries per sender key
/** The widest window the proof checks accept (dpop/check-proof-time.ts: 600 s either side of now). */
export const DEFAULT_REPLAY_MAX_TTL_S = 1_200; // seconds; a longer ttl is a caller's mistake
export const DEFAULT_REPLAY_SWEEP_INTERVAL_MS = 10_000; // milliseconds; 0 sweeps only on claim
/** Scopes and ids are hashes or thumbprints (43 base64url characters for SHA-256). */
export const MAX_REPLAY_KEY_LENGTH = 128; // characters, for a scope and for an id

export interface MemoryReplayStoreOptions {
  readonly maxEntries?: number;
  readonly maxEntriesPerScope?: number;
  readonly maxTtlSeconds?: number;
  readonly sweepIntervalMs?: number;
  readonly clock?: Clock;
}

/** One sender's live entries; entries point here so the scope string is held once per sender. */
interface ScopeEntries {
  readonly scope: string;
  readonly entries: Map<string, Entry>;
}

interface Entry {
  readonly owner: ScopeEntries;
  readonly id: string;
  /** Epoch second from which the entry is gone; it is live while clock() < expiresAt. */
  readonly expiresAt: number;
}

/**
 * E17, H6 for one process: the claim-once store of proof identifiers, in memory.
 *
 * RFC 9449 §11.1: "To prevent multiple uses of the same DPoP proof, servers can store, in the
 * context of the target URI, the jti value of each DPoP proof for the time window in which the
 * respective DPoP proof JWT would be accepted." E17 makes that a MUST here, keyed per sender key
 * (a JWK or certificate thumbprint) rather than per URI, so that quotas can be per sender.
 *
 * - Atomic: `claim` checks and records with no `await` in between, so within the one JavaScript
 *   thread, of concurrent claims of the same (scope, id) exactly one resolves `true`.
 * - Expiry: an entry lives `ceil(ttl) + 1` seconds by the injected clock (the extra second covers
 *   the clock's whole-second resolution, so a claim is never forgotten early). Entries are swept
 *   in buckets by expiry second, on every claim and by an unref'd timer; each entry is filed and
 *   dropped once, so a claim costs O(1) amortised.
 * - Bounded, failing closed: a sender (scope) at `maxEntriesPerScope` live entries is refused, and
 *   when `maxEntries` live entries exist, every new claim is refused (rejects with BindingError
 *   `ReplayStoreUnavailable`, 503). Nothing is ever evicted early: evicting a live entry would let
 *   its proof be replayed, and evicting another sender's entry would let one sender re-open replay
 *   for all. Refusals are by design a denial of service to the sender at its quota, not a bypass.
 * - Memory (measured on Node 20 with 43-character scopes and ids): about 170 bytes per entry (id
 *   string, entry, map and bucket slots) plus about 280 bytes per sender with live entries, so at
 *   worst (every entry its own sender) 450 bytes: `maxEntries` × 450 B, 45 MB with the defaults.
 *
 * Rejects with BindingConfigError for a caller's mistake: an empty or over-long scope or id (pass
 * hashes, never a raw `jti`), or a ttl that is not a positive number up to `maxTtlSeconds`.
 * Does not decide how long the ttl is (the proof check does: its whole acceptance window, future
 * `iat` included), nor share claims between replicas: use a shared store for more than one process.
 */
export class MemoryReplayStore implements ReplayStore {
  private readonly config: ResolvedReplayStoreOptions;
  private readonly scopes = new Map<string, ScopeEntries>();
  /** Entries by `expiresAt`; while the clock runs forward, at most maxTtlSeconds + 2 buckets. */
  private readonly buckets = new Map<number, Entry[]>();
  private entryCount = 0;
  /** Every bucket up to this second has been dropped. */
  private sweptThrough: number;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(options: MemoryReplayStoreOptions = {}) {
    this.config = resolveReplayStoreOptions(options);
    this.sweptThrough = this.now();
    if (this.config.sweepIntervalMs > 0) {
      this.timer = setInterval(() => this.sweep(this.now()), this.config.sweepIntervalMs);
      this.timer.unref();
    }
  }

  /** Live entries, all senders. */
  get size(): number {
    return this.entryCount;
  }

  async claim(scope: string, id: string, ttlSeconds: number): Promise<boolean> {
    // Nothing below awaits: the check and the record happen in one turn of the event loop.
    if (this.closed) throw unavailable('replay store is closed');
    checkKey(scope, 'scope');
    checkKey(id, 'id');
    const { maxEntries, maxEntriesPerScope, maxTtlSeconds } = this.config;
    if (typeof ttlSeconds !== 'number' || !(ttlSeconds > 0) || ttlSeconds > maxTtlSeconds) {
      throw new BindingConfigError(`replay store: ttlSeconds must be a number above 0 and at most ${maxTtlSeconds}`);
    }
    const now = this.now();
    this.sweep(now);
    const owner = this.scopes.get(scope);
    if (owner?.entries.has(id) === true) return false;
    if ((owner?.entries.size ?? 0) >= maxEntriesPerScope) throw unavailable('replay quota of this sender is exhausted');
    if (this.entryCount >= maxEntries) throw unavailable('replay store is full');
    this.record(owner ?? this.addScope(scope), id, now + Math.ceil(ttlSeconds) + 1);
    return true;
  }

  /** Stops the sweep timer and forgets every entry; later claims reject. */
  close(): void {
    this.closed = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.scopes.clear();
    this.buckets.clear();
    this.entryCount = 0;
  }

  /** Whole seconds: buckets are keyed by second, whatever resolution an injected clock has. */
  private now(): number {
    return Math.floor(this.config.clock());
  }

  private addScope(scope: string): ScopeEntries {
    const owner: ScopeEntries = { scope, entries: new Map() };
    this.scopes.set(scope, owner);
    return owner;
  }

  private record(owner: ScopeEntries, id: string, expiresAt: number): void {
    const entry: Entry = { owner, id, expiresAt };
    owner.entries.set(id, entry);
    const bucket = this.buckets.get(expiresAt);
    if (bucket === undefined) this.buckets.set(expiresAt, [entry]);
    else bucket.push(entry);
    this.entryCount += 1;
  }

  /** Drops every bucket whose second has come, visiting at most min(elapsed seconds, bucket count) buckets. */
  private sweep(now: number): void {
    if (now <= this.sweptThrough) {
      // A clock set back: restart the cursor there, so entries filed from now on are swept in turn.
      this.sweptThrough = now;
      return;
    }
    if (now - this.sweptThrough <= this.buckets.size) {
      for (let second = this.sweptThrough + 1; second <= now; second += 1) this.dropBucket(second);
    } else {
      for (const second of this.buckets.keys()) if (second <= now) this.dropBucket(second);
    }
    this.sweptThrough = now;
  }

  private dropBucket(second: number): void {
    const bucket = this.buckets.get(second);
    if (bucket === undefined) return;
    this.buckets.delete(second);
    for (const entry of bucket) {
      const { owner, id } = entry;
      if (owner.entries.get(id) !== entry) continue;
      owner.entries.delete(id);
      this.entryCount -= 1;
      if (owner.entries.size === 0 && this.scopes.get(owner.scope) === owner) this.scopes.delete(owner.scope);
    }
  }
}

type ResolvedReplayStoreOptions = Readonly<Required<MemoryReplayStoreOptions>>;

/** Validated once, at construction, into a frozen object; a mistake throws BindingConfigError. */
function resolveReplayStoreOptions(options: MemoryReplayStoreOptions): ResolvedReplayStoreOptions {
  const maxEntries = integerOption(options.maxEntries ?? DEFAULT_REPLAY_MAX_ENTRIES, 'replay store: maxEntries', 1, 100_000_000);
  if (options.clock !== undefined && typeof options.clock !== 'function') {
    throw new BindingConfigError('replay store: clock must be a function returning epoch seconds');
  }
  return Object.freeze({
    maxEntries,
    maxEntriesPerScope: integerOption(options.maxEntriesPerScope ?? DEFAULT_REPLAY_MAX_ENTRIES_PER_SCOPE, 'replay store: maxEntriesPerScope', 1, maxEntries),
    maxTtlSeconds: integerOption(options.maxTtlSeconds ?? DEFAULT_REPLAY_MAX_TTL_S, 'replay store: maxTtlSeconds', 1, 86_400),
    sweepIntervalMs: integerOption(options.sweepIntervalMs ?? DEFAULT_REPLAY_SWEEP_INTERVAL_MS, 'replay store: sweepIntervalMs', 0, 3_600_000),
    clock: options.clock ?? systemClock,
  });
}

function checkKey(value: unknown, name: string): void {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_REPLAY_KEY_LENGTH) {
    throw new BindingConfigError(`replay store: ${name} must be a non-empty string of at most ${MAX_REPLAY_KEY_LENGTH} characters`);
  }
}

function unavailable(description: string): BindingError {
  return new BindingError(FailureType.ReplayStoreUnavailable, description);
}
