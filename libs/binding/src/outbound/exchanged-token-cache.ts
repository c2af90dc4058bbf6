import { LRUCache } from 'lru-cache';
import { sha256Base64url } from '../crypto/digest.js';
import { integerOption } from '../options/integer-range.js';
import type { Clock } from '../time/clock.js';

/** A token is reused until this long before its `exp`, so it never expires on the way to the callee. */
export const DEFAULT_REFRESH_BEFORE_EXPIRY_S = 10; // seconds
/** Entries are small (a ~1 KiB token and a key); 1 000 keep a busy caller's distinct users warm. */
export const DEFAULT_EXCHANGE_CACHE_MAX_ENTRIES = 1_000; // entries

/** An internal token the STS issued, with its `exp` as the STS stated it (`expires_in`). */
export interface ExchangedToken {
  readonly accessToken: string;
  /** Epoch seconds. */
  readonly expiresAt: number;
  /** The scope the STS granted (RFC 8693 §2.2.1), space-separated. */
  readonly scope: string;
}

export interface ExchangedTokenCacheOptions {
  readonly maxEntries?: number;
  readonly refreshBeforeExpirySeconds?: number;
  readonly clock: Clock;
}

/**
 * ARCHITECTURE "Exchange": "Callers cache exchanged tokens until shortly before expiry". Keyed by
 * SHA-256 of the subject token (never the token itself), the audience, the requested scope and the
 * `x5t#S256` of the caller certificate that signed the exchange proof, so a token exchanged for one
 * user, callee or scope is never handed to another, and a token bound to a certificate this
 * workload no longer signs with (renewed: SECURITY.md L2) is never sent again. Bounded: the least
 * recently used entry goes first. An entry is served while `now < expiresAt - refreshBefore`.
 * Does not validate tokens: what the STS answered is stored as it came.
 */
export class ExchangedTokenCache {
  private readonly entries: LRUCache<string, ExchangedToken>;
  private readonly refreshBefore: number;
  private readonly clock: Clock;

  constructor(options: ExchangedTokenCacheOptions) {
    const maxEntries = options.maxEntries ?? DEFAULT_EXCHANGE_CACHE_MAX_ENTRIES;
    const refreshBefore = options.refreshBeforeExpirySeconds ?? DEFAULT_REFRESH_BEFORE_EXPIRY_S;
    integerOption(maxEntries, 'exchange cache: maxEntries', 1);
    integerOption(refreshBefore, 'exchange cache: refreshBeforeExpirySeconds', 0, 300);
    this.entries = new LRUCache({ max: maxEntries });
    this.refreshBefore = refreshBefore;
    this.clock = options.clock;
  }

  /**
   * The cache key of one exchange: no token material, only its hash. `certificateThumbprint` is the
   * caller certificate's `x5t#S256`, which the STS puts in the token's `cnf` (L2).
   */
  static keyOf(subjectToken: string, audience: string, scope: string, certificateThumbprint: string): string {
    return `${sha256Base64url(subjectToken)} ${audience} ${scope} ${certificateThumbprint}`;
  }

  get(key: string): ExchangedToken | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (this.clock() < entry.expiresAt - this.refreshBefore) return entry;
    this.entries.delete(key);
    return undefined;
  }

  /** Stores the token unless it is already within its refresh margin (it is still returned to the caller). */
  set(key: string, token: ExchangedToken): void {
    if (this.clock() < token.expiresAt - this.refreshBefore) this.entries.set(key, token);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}
