import { describe, expect, it } from '@jest/globals';
import { JetStreamApiError } from '@nats-io/jetstream';
import { sha256Base64url } from '../crypto/digest.js';
import { BindingConfigError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import { JetStreamReplayStore, replayKeyPart, type ReplayBucket, type ReplayConnection } from './jetstream-replay-store.js';

// The store's own logic without a broker: key encoding, option checks, and failing closed on
// every kind of trouble. The real atomic create across replicas is pinned against a real
// nats-server in test/replay/.

const SCOPE = sha256Base64url('client-jwk');
const ID = sha256Base64url('jti-1');
const UNAVAILABLE = { code: 'temporarily_unavailable', type: FailureType.ReplayStoreUnavailable };

/** The server's answer to a create of a key that holds a value (nats-server err_code 10071). */
const keyExists = (): JetStreamApiError => new JetStreamApiError({ code: 400, err_code: 10071, description: 'wrong last sequence: 7' });

/** A bucket in a Map, answering like the server: first create wins, later ones get 10071. */
class MapBucket {
  readonly keys = new Set<string>();
  constructor(readonly ttlMs = 75_000) {}
  async create(key: string): Promise<number> {
    if (this.keys.has(key)) throw keyExists();
    this.keys.add(key);
    return this.keys.size;
  }
  async status(): Promise<{ ttl: number }> {
    return { ttl: this.ttlMs };
  }
}

/** A bucket whose writes never answer (a broker that stalls). */
const silentBucket = (): ReplayBucket => ({ create: () => new Promise<number>(() => undefined), status: async () => ({ ttl: 75_000 }) }) as unknown as ReplayBucket;

/** A connection whose status events the test pushes. */
function scriptedConnection() {
  const waiting: ((result: IteratorResult<{ type: string }>) => void)[] = [];
  const queued: { type: string }[] = [];
  let closed = false;
  const connection = {
    isClosed: () => closed,
    status: () => ({
      [Symbol.asyncIterator]: () => ({
        next: () => new Promise<IteratorResult<{ type: string }>>((resolve) => {
          const value = queued.shift();
          if (value !== undefined) resolve({ value, done: false });
          else waiting.push(resolve);
        }),
        return: async () => ({ value: undefined, done: true as const }),
      }),
    }),
  };
  const push = (type: string): void => {
    if (type === 'close') closed = true;
    const resolve = waiting.shift();
    if (resolve !== undefined) resolve({ value: { type }, done: false });
    else queued.push({ type });
  };
  return { connection: connection as unknown as ReplayConnection, push };
}

const open = (bucket: unknown, options = {}) => JetStreamReplayStore.open(bucket as ReplayBucket, options);
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('JetStreamReplayStore (E17, H6)', () => {
  it('E17: the first claim of (scope, id) wins, a second answers false, another scope or id is its own claim', async () => {
    const bucket = new MapBucket();
    const store = await open(bucket);
    await expect(store.claim(SCOPE, ID, 70)).resolves.toBe(true);
    await expect(store.claim(SCOPE, ID, 70)).resolves.toBe(false);
    await expect(store.claim(sha256Base64url('other-jwk'), ID, 70)).resolves.toBe(true);
    await expect(store.claim(SCOPE, sha256Base64url('jti-2'), 70)).resolves.toBe(true);
    expect([...bucket.keys][0]).toBe(`replay.${SCOPE}.${ID}`);
  });

  it('E17: keys hold only KV key characters; base64url parts stay verbatim, others are encoded without collisions', async () => {
    expect(replayKeyPart(SCOPE)).toBe(SCOPE);
    const odd = ['a.b', 'a b', '*', '>', 'ü', '=YQ', 'YQ', 'a/b', '..'];
    const encoded = odd.map(replayKeyPart);
    for (const part of encoded) expect(part).toMatch(/^=?[A-Za-z0-9_-]+$/);
    expect(new Set(encoded).size).toBe(odd.length);
    // 'YQ' is base64url of 'a': verbatim 'YQ' and encoded 'a' differ.
    expect(replayKeyPart('YQ')).not.toBe(replayKeyPart('a'));
    const bucket = new MapBucket();
    const store = await open(bucket, { keyPrefix: 'edge.replay' });
    await expect(store.claim('a.b', 'c d', 70)).resolves.toBe(true);
    await expect(store.claim('a', 'b.c d', 70)).resolves.toBe(true);
    expect(bucket.keys.size).toBe(2);
  });

  it('E17: a ttl the bucket cannot keep, an empty or over-long part, or a bad option is a caller mistake', async () => {
    const store = await open(new MapBucket(71_000));
    expect(store.maxTtlSeconds).toBe(70);
    await expect(store.claim(SCOPE, ID, 71)).rejects.toBeInstanceOf(BindingConfigError);
    await expect(store.claim(SCOPE, ID, 0)).rejects.toBeInstanceOf(BindingConfigError);
    await expect(store.claim('', ID, 60)).rejects.toBeInstanceOf(BindingConfigError);
    await expect(store.claim(SCOPE, 'x'.repeat(129), 60)).rejects.toBeInstanceOf(BindingConfigError);
    await expect(store.claim(SCOPE, ID, 70)).resolves.toBe(true);
    await expect(open(new MapBucket(0))).rejects.toBeInstanceOf(BindingConfigError);
    await expect(open(new MapBucket(), { timeoutMs: 0 })).rejects.toBeInstanceOf(BindingConfigError);
    await expect(open(new MapBucket(), { keyPrefix: 'a..b' })).rejects.toBeInstanceOf(BindingConfigError);
    const missing = { create: async () => 1, status: async () => Promise.reject(new Error('stream not found')) };
    await expect(open(missing)).rejects.toThrow(/provision/);
  });

  it('E17: a broker that does not answer is refused within the timeout, never accepted', async () => {
    const store = await open(silentBucket(), { timeoutMs: 50 });
    const started = Date.now();
    await expect(store.claim(SCOPE, ID, 60)).rejects.toMatchObject(UNAVAILABLE);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('E17: any other error of the broker fails closed with its cause kept', async () => {
    const full = new JetStreamApiError({ code: 503, err_code: 10077, description: 'maximum bytes exceeded' });
    const store = await open({ create: async () => Promise.reject(full), status: async () => ({ ttl: 75_000 }) });
    const error = await store.claim(SCOPE, ID, 60).then(() => undefined, (reason: unknown) => reason);
    expect(error).toMatchObject(UNAVAILABLE);
    expect((error as Error).cause).toBe(full);
  });

  it('E17: a disconnected or closed connection is refused at once; a reconnect restores claims', async () => {
    const { connection, push } = scriptedConnection();
    const bucket = new MapBucket();
    const store = await open(bucket, { connection });
    await expect(store.claim(SCOPE, ID, 60)).resolves.toBe(true);
    push('disconnect');
    await tick();
    await expect(store.claim(SCOPE, sha256Base64url('jti-2'), 60)).rejects.toMatchObject(UNAVAILABLE);
    expect(bucket.keys.size).toBe(1);
    push('reconnect');
    await tick();
    await expect(store.claim(SCOPE, sha256Base64url('jti-2'), 60)).resolves.toBe(true);
    push('close');
    await tick();
    await expect(store.claim(SCOPE, sha256Base64url('jti-3'), 60)).rejects.toMatchObject(UNAVAILABLE);
    store.close();
    await expect(store.claim(SCOPE, sha256Base64url('jti-4'), 60)).rejects.toMatchObject(UNAVAILABLE);
  });
});
