import { afterEach, describe, expect, it } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { sha256Base64url } from '../crypto/digest.js';
import { BindingConfigError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import {
  DEFAULT_REPLAY_MAX_ENTRIES,
  DEFAULT_REPLAY_MAX_ENTRIES_PER_SCOPE,
  MemoryReplayStore,
  type MemoryReplayStoreOptions,
} from './memory-replay-store.js';

const VICTIM = sha256Base64url('victim-jwk');
const ATTACKER = sha256Base64url('attacker-jwk');
const jti = (value: string): string => sha256Base64url(value);
const STORE_FULL = { code: 'temporarily_unavailable', type: FailureType.ReplayStoreUnavailable };

const frozenClock = (start: number) => {
  const clock = Object.assign(() => clock.now, { now: start });
  return clock;
};

let stores: MemoryReplayStore[] = [];
const storeWith = (options: MemoryReplayStoreOptions): MemoryReplayStore => {
  const store = new MemoryReplayStore({ sweepIntervalMs: 0, ...options });
  stores.push(store);
  return store;
};

afterEach(() => {
  for (const store of stores) store.close();
  stores = [];
});

describe('MemoryReplayStore (E17, H6)', () => {
  it('E17: of 100 concurrent claims of the same jti exactly one wins', async () => {
    const store = storeWith({ clock: frozenClock(1_000) });
    const results = await Promise.all(Array.from({ length: 100 }, () => store.claim(VICTIM, jti('a'), 70)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(store.size).toBe(1);
  });

  it('E17: distinct jtis, and the same jti under another sender key, are each claimed once', async () => {
    const store = storeWith({ clock: frozenClock(1_000) });
    await expect(store.claim(VICTIM, jti('a'), 70)).resolves.toBe(true);
    await expect(store.claim(VICTIM, jti('b'), 70)).resolves.toBe(true);
    await expect(store.claim(ATTACKER, jti('a'), 70)).resolves.toBe(true);
    await expect(store.claim(VICTIM, jti('a'), 70)).resolves.toBe(false);
  });

  it('E17: a jti stays claimed for its whole ttl and can be claimed again only after it', async () => {
    const clock = frozenClock(1_000);
    const store = storeWith({ clock });
    await expect(store.claim(VICTIM, jti('a'), 60)).resolves.toBe(true);
    clock.now = 1_060; // ttl elapsed by the clock, but the clock's second may have begun early
    await expect(store.claim(VICTIM, jti('a'), 60)).resolves.toBe(false);
    clock.now = 1_061;
    await expect(store.claim(VICTIM, jti('a'), 60)).resolves.toBe(true);
    expect(store.size).toBe(1);
  });

  it('E17: a fractional ttl is rounded up, never down', async () => {
    const clock = frozenClock(1_000);
    const store = storeWith({ clock });
    await expect(store.claim(VICTIM, jti('a'), 0.2)).resolves.toBe(true);
    clock.now = 1_001;
    await expect(store.claim(VICTIM, jti('a'), 0.2)).resolves.toBe(false);
    clock.now = 1_002;
    await expect(store.claim(VICTIM, jti('a'), 0.2)).resolves.toBe(true);
  });

  it('E17: a sender at its quota is refused and cannot evict its own or another sender\'s entries', async () => {
    const store = storeWith({ maxEntries: 100, maxEntriesPerScope: 3, clock: frozenClock(1_000) });
    await expect(store.claim(VICTIM, jti('v1'), 70)).resolves.toBe(true);
    for (const id of ['a1', 'a2', 'a3']) await expect(store.claim(ATTACKER, jti(id), 70)).resolves.toBe(true);

    await expect(store.claim(ATTACKER, jti('a4'), 70)).rejects.toMatchObject(STORE_FULL);
    // Refused, not evicted: the attacker's first proof and the victim's proof stay claimed.
    await expect(store.claim(ATTACKER, jti('a1'), 70)).resolves.toBe(false);
    await expect(store.claim(VICTIM, jti('v1'), 70)).resolves.toBe(false);
    // The victim keeps its own quota.
    await expect(store.claim(VICTIM, jti('v2'), 70)).resolves.toBe(true);
  });

  it('E17: a full store refuses new claims (fail closed) yet still answers replays', async () => {
    const store = storeWith({ maxEntries: 3, maxEntriesPerScope: 3, clock: frozenClock(1_000) });
    for (const id of ['1', '2', '3']) await expect(store.claim(sha256Base64url(`key-${id}`), jti(id), 70)).resolves.toBe(true);
    await expect(store.claim(VICTIM, jti('new'), 70)).rejects.toMatchObject(STORE_FULL);
    await expect(store.claim(sha256Base64url('key-1'), jti('1'), 70)).resolves.toBe(false);
    expect(store.size).toBe(3);
  });

  it('E17: a full store sweeps expired entries before refusing', async () => {
    const clock = frozenClock(1_000);
    const store = storeWith({ maxEntries: 2, maxEntriesPerScope: 2, clock });
    await store.claim(ATTACKER, jti('a1'), 10);
    await store.claim(ATTACKER, jti('a2'), 70);
    await expect(store.claim(VICTIM, jti('v1'), 70)).rejects.toMatchObject(STORE_FULL);
    clock.now = 1_011;
    await expect(store.claim(VICTIM, jti('v1'), 70)).resolves.toBe(true);
    await expect(store.claim(ATTACKER, jti('a2'), 70)).resolves.toBe(false);
    expect(store.size).toBe(2);
  });

  it('E17: a large clock jump sweeps every expired entry in one pass', async () => {
    const clock = frozenClock(1_000);
    const store = storeWith({ maxEntries: 5_000, maxEntriesPerScope: 5_000, clock });
    for (let i = 0; i < 5_000; i += 1) await store.claim(VICTIM, jti(String(i)), 1 + (i % 600));
    clock.now = 1_000 + 10 ** 9;
    await expect(store.claim(VICTIM, jti('0'), 60)).resolves.toBe(true);
    expect(store.size).toBe(1);
  });

  it('E17: a clock set back forgets nothing that is still live', async () => {
    const clock = frozenClock(1_000);
    const store = storeWith({ clock });
    await store.claim(VICTIM, jti('a'), 60);
    clock.now = 900;
    await expect(store.claim(VICTIM, jti('a'), 60)).resolves.toBe(false);
    await expect(store.claim(VICTIM, jti('b'), 60)).resolves.toBe(true);
    clock.now = 1_061;
    await expect(store.claim(VICTIM, jti('a'), 60)).resolves.toBe(true);
    await expect(store.claim(VICTIM, jti('b'), 60)).resolves.toBe(true);
    expect(store.size).toBe(2);
  });

  it('E17: the periodic sweep frees expired entries while idle; close stops it and refuses claims', async () => {
    const clock = frozenClock(1_000);
    const store = storeWith({ clock, sweepIntervalMs: 10 });
    await store.claim(VICTIM, jti('a'), 5);
    await store.claim(ATTACKER, jti('b'), 60);
    clock.now = 1_010;
    await sleep(50);
    expect(store.size).toBe(1);
    store.close();
    await expect(store.claim(VICTIM, jti('c'), 60)).rejects.toMatchObject(STORE_FULL);
  });

  it('E17: a raw jti, an empty scope or a ttl beyond the maximum is a caller mistake', async () => {
    const store = storeWith({ maxTtlSeconds: 120, clock: frozenClock(1_000) });
    await expect(store.claim(VICTIM, 'x'.repeat(129), 60)).rejects.toBeInstanceOf(BindingConfigError);
    await expect(store.claim('', jti('a'), 60)).rejects.toBeInstanceOf(BindingConfigError);
    await expect(store.claim(VICTIM, jti('a'), 121)).rejects.toBeInstanceOf(BindingConfigError);
    await expect(store.claim(VICTIM, jti('a'), 0)).rejects.toBeInstanceOf(BindingConfigError);
    await expect(store.claim(VICTIM, jti('a'), Number.NaN)).rejects.toBeInstanceOf(BindingConfigError);
    await expect(store.claim(VICTIM, jti('a'), 120)).resolves.toBe(true);
  });

  it('E17: without options the store holds DEFAULT_REPLAY_MAX_ENTRIES_PER_SCOPE claims per sender key, then refuses', async () => {
    const store = storeWith({ clock: frozenClock(1_000) });
    for (let i = 0; i < DEFAULT_REPLAY_MAX_ENTRIES_PER_SCOPE; i += 1) await store.claim(ATTACKER, jti(String(i)), 70);
    await expect(store.claim(ATTACKER, jti('one more'), 70)).rejects.toMatchObject(STORE_FULL);
    await expect(store.claim(VICTIM, jti('v1'), 70)).resolves.toBe(true);
    expect(DEFAULT_REPLAY_MAX_ENTRIES).toBeGreaterThan(DEFAULT_REPLAY_MAX_ENTRIES_PER_SCOPE);
  });

  it('E17: configured limits above the defaults are honoured exactly, per sender key and in total', async () => {
    const perKey = DEFAULT_REPLAY_MAX_ENTRIES_PER_SCOPE + 2;
    const store = storeWith({ maxEntries: 2 * perKey + 1, maxEntriesPerScope: perKey, clock: frozenClock(1_000) });
    for (let i = 0; i < perKey; i += 1) await store.claim(ATTACKER, jti(`a${i}`), 70);
    await expect(store.claim(ATTACKER, jti('a-over'), 70)).rejects.toMatchObject(STORE_FULL);
    for (let i = 0; i < perKey; i += 1) await store.claim(VICTIM, jti(`v${i}`), 70);
    await expect(store.claim(sha256Base64url('third-key'), jti('t1'), 70)).resolves.toBe(true);
    // Now at the total: a fresh sender is refused (fail closed), replays are still answered.
    await expect(store.claim(sha256Base64url('fourth-key'), jti('f1'), 70)).rejects.toMatchObject(STORE_FULL);
    await expect(store.claim(VICTIM, jti('v0'), 70)).resolves.toBe(false);
    expect(store.size).toBe(2 * perKey + 1);
  });

  it('E17: misconfiguration throws at construction', () => {
    expect(() => new MemoryReplayStore({ maxEntries: 0 })).toThrow(BindingConfigError);
    expect(() => new MemoryReplayStore({ maxEntries: 10, maxEntriesPerScope: 11 })).toThrow(BindingConfigError);
    expect(() => new MemoryReplayStore({ maxTtlSeconds: 1.5 })).toThrow(BindingConfigError);
    expect(() => new MemoryReplayStore({ sweepIntervalMs: -1 })).toThrow(BindingConfigError);
  });
});
