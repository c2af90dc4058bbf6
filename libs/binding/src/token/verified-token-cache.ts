import { LRUCache } from 'lru-cache';
import type { Clock } from '../time/clock.js';
import type { AccessTokenClaims } from './access-token.js';

interface CachedClaims {
  readonly claims: AccessTokenClaims;
  /** When the full check passed (epoch seconds): the entry is served from here on... */
  readonly from: number;
  /** ...and strictly before this (epoch seconds): min(exp, from + max ttl). */
  readonly until: number;
}

/**
 * Claims of tokens that passed the full check, keyed by SHA-256 of the token as sent. A hit is
 * served only inside [from, until), judged by the injected clock on every hit, so that the cache
 * never accepts what the full check would refuse at that instant:
 * - before `exp`: the full check accepts until `exp + leeway`; the cache stops at `exp` itself;
 * - not before the moment of the full check: were the clock set back, `nbf` could fail again;
 * - at most `maxTtlSeconds` after the check, bounding how long a token outlives a key withdrawn
 *   from the issuer's set (jose's key set cache has the same kind of bound, `cacheMaxAge`).
 * Failures are never cached: a transient key-set outage must not outlive itself.
 * Memory: `maxEntries` × (43-character key + frozen claims, typically 1-2 KiB).
 * Does not verify anything itself: it only remembers what createAccessTokenVerifier verified.
 */
export class VerifiedTokenCache {
  private readonly entries: LRUCache<string, CachedClaims> | undefined;

  constructor(
    maxEntries: number,
    private readonly maxTtlSeconds: number,
    private readonly clock: Clock,
  ) {
    // lru-cache's own ttl runs on the process's monotonic clock: it only frees memory early; the
    // decision is always the injected clock's (see `get`).
    this.entries = maxEntries === 0 ? undefined : new LRUCache({ max: maxEntries, ttlAutopurge: false });
  }

  get(key: string): AccessTokenClaims | undefined {
    const entry = this.entries?.get(key);
    if (entry === undefined) return undefined;
    const now = this.clock();
    if (now < entry.from || now >= entry.until) {
      this.entries?.delete(key);
      return undefined;
    }
    return entry.claims;
  }

  /** `checkedAt`: the clock reading the full check judged the token by. */
  set(key: string, claims: AccessTokenClaims, checkedAt: number): void {
    if (this.entries === undefined) return;
    const from = checkedAt;
    const until = Math.min(claims.exp, from + this.maxTtlSeconds);
    if (until <= from) return;
    this.entries.set(key, { claims, from, until }, { ttl: (until - from) * 1000 });
  }
}
