import type { KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { BindingConfigError, BindingError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import { integerOption } from '../options/integer-range.js';
import { MAX_REPLAY_KEY_LENGTH } from './memory-replay-store.js';
import type { ReplayStore } from './replay-store.js';

/** A claim that has no answer by then is refused (503): a slow broker must not hold requests. */
export const DEFAULT_REPLAY_CLAIM_TIMEOUT_MS = 1_000; // milliseconds
/** The first token of every key, so the bucket's keys say what they are (`replay.<scope>.<id>`). */
export const DEFAULT_REPLAY_KEY_PREFIX = 'replay';
/**
 * JetStream API errors meaning "this key already has a value" to an expected-last-subject-sequence
 * publish (nats.js KV `create` treats both so): 10071 wrong last sequence, 10164 its variant.
 */
const KEY_EXISTS_CODES: readonly number[] = [10071, 10164];
/** Scopes and ids that are hashes or thumbprints are used verbatim (base64url is a subset of KV key characters). */
const VERBATIM = /^[A-Za-z0-9_-]+$/;
const PREFIX = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;
const EMPTY = new Uint8Array(0);

/** What the store uses of a KV bucket (`@nats-io/kv`): atomic create, and the bucket's limits. */
export type ReplayBucket = Pick<KV, 'create' | 'status'>;
/** What the store uses of the connection: its status events, so an outage is refused at once. */
export type ReplayConnection = Pick<NatsConnection, 'status' | 'isClosed'>;

export interface JetStreamReplayStoreOptions {
  /** The connection the bucket was opened on; without it an outage is noticed by the timeout only. */
  readonly connection?: ReplayConnection;
  readonly timeoutMs?: number;
  readonly keyPrefix?: string;
}

/**
 * E17, H6 across replicas: the claim-once store on a JetStream KV bucket that every replica of a
 * workload opens (the workload's own bucket, `kvBucketOf`).
 *
 * - Atomic: a claim is the KV `create` of `<prefix>.<scope>.<id>`, a publish with
 *   `Nats-Expected-Last-Subject-Sequence: 0` that the server accepts only while the key holds no
 *   value. Of concurrent claims from any number of replicas exactly one is stored and resolves
 *   `true`; the others get "wrong last sequence" and resolve `false`.
 * - Keys: base64url scopes and ids (thumbprints, hashes) are used verbatim; anything else is
 *   written `=` + base64url(UTF-8), which never collides with a verbatim token (no `=` in base64url)
 *   and holds only KV key characters. Empty or over-long parts are a caller's mistake.
 * - Expiry: one TTL for every key, the bucket's `max_age` (per-message TTLs need nats-server 2.11
 *   and a bucket created for them; one bucket-wide age works on every release), so it is the TTL of every
 *   claim, counted from when the server stored it. The store refuses (BindingConfigError) a ttl
 *   longer than `max_age - 1` s, so a claim is never forgotten before its proof stops being
 *   acceptable. Consequences: every claim is kept `max_age`, not its own ttl (memory and disk are
 *   claims/s x max_age); the bucket must hold nothing else that should outlive `max_age`; and
 *   `max_age` should exceed the acceptance window by the clock skew between replicas, since each
 *   judges `iat` by its own clock. Provision it so (scripts/nats/provision-replay-bucket.ts);
 *   workloads may not create or change streams.
 * - Bounded, failing closed: the bucket's `max_bytes` with discard-new makes a full bucket refuse
 *   writes, and every error, a closed or disconnected connection, and no answer within
 *   `timeoutMs` reject with BindingError `ReplayStoreUnavailable` (503), cause kept. Never `true`
 *   without the server's acknowledgement of this very write.
 *
 * Does not cap claims per sender: JetStream limits are per subject or per stream, not per key
 * prefix, so one sender could fill the bucket (every claim is then refused, fail closed). Wrap it in
 * a CappedReplayStore, which caps each replica's claims per key and in all. Does not
 * create the bucket or own the connection: the caller opens both and closes the connection.
 */
export class JetStreamReplayStore implements ReplayStore {
  /** The longest ttl a claim may ask for: the bucket's `max_age` less one second. */
  readonly maxTtlSeconds: number;
  private readonly timeoutMs: number;
  private readonly keyPrefix: string;
  private connected = true;
  private closed = false;
  private statuses: AsyncIterator<unknown> | undefined;

  private constructor(
    private readonly bucket: ReplayBucket,
    maxAgeMs: number,
    private readonly connection: ReplayConnection | undefined,
    options: JetStreamReplayStoreOptions,
  ) {
    this.maxTtlSeconds = Math.floor(maxAgeMs / 1000) - 1;
    this.timeoutMs = integerOption(options.timeoutMs ?? DEFAULT_REPLAY_CLAIM_TIMEOUT_MS, 'JetStream replay store: timeoutMs', 1, 60_000);
    this.keyPrefix = options.keyPrefix ?? DEFAULT_REPLAY_KEY_PREFIX;
    if (typeof this.keyPrefix !== 'string' || !PREFIX.test(this.keyPrefix)) {
      throw new BindingConfigError('JetStream replay store: keyPrefix must be dot-separated tokens of A-Z a-z 0-9 _ -');
    }
  }

  /**
   * Reads the bucket's limits once (a bucket that does not exist, or has no `max_age`, throws
   * BindingConfigError naming the provisioning step) and starts following the connection's status.
   */
  static async open(bucket: ReplayBucket, options: JetStreamReplayStoreOptions = {}): Promise<JetStreamReplayStore> {
    if (typeof bucket?.create !== 'function' || typeof bucket.status !== 'function') {
      throw new BindingConfigError('JetStream replay store: bucket must be an opened @nats-io/kv KV');
    }
    let maxAgeMs: number;
    try {
      maxAgeMs = (await bucket.status()).ttl;
    } catch (cause) {
      throw new BindingConfigError('JetStream replay store: the bucket cannot be read; is it provisioned (scripts/nats/provision-replay-bucket.ts)?', { cause });
    }
    if (!Number.isFinite(maxAgeMs) || maxAgeMs < 2_000) {
      throw new BindingConfigError('JetStream replay store: the bucket needs a max_age of at least 2 s covering the proof window; provision it with provisionReplayBucket');
    }
    const store = new JetStreamReplayStore(bucket, maxAgeMs, options.connection, options);
    store.follow(options.connection);
    return store;
  }

  async claim(scope: string, id: string, ttlSeconds: number): Promise<boolean> {
    const key = `${this.keyPrefix}.${keyPart(scope, 'scope')}.${keyPart(id, 'id')}`;
    if (typeof ttlSeconds !== 'number' || !(ttlSeconds > 0) || ttlSeconds > this.maxTtlSeconds) {
      throw new BindingConfigError(`JetStream replay store: ttlSeconds must be above 0 and at most ${this.maxTtlSeconds} (the bucket's max_age less 1 s)`);
    }
    // Refused at once rather than queued behind a reconnect: the client would buffer the write.
    if (this.closed) throw unavailable('replay store is closed');
    if (!this.connected || this.connection?.isClosed() === true) throw unavailable('replay store is not connected');
    try {
      await this.withTimeout(this.bucket.create(key, EMPTY));
      return true;
    } catch (error) {
      if (isKeyExists(error)) return false;
      if (error instanceof BindingError) throw error;
      throw unavailable('replay store could not record the claim', error);
    }
  }

  /** Stops following the connection; later claims reject. Does not close the connection. */
  close(): void {
    this.closed = true;
    void this.statuses?.return?.();
  }

  private follow(connection: ReplayConnection | undefined): void {
    if (connection === undefined) return;
    this.statuses = connection.status()[Symbol.asyncIterator]();
    const iterator = this.statuses;
    void (async () => {
      for (;;) {
        const next = await iterator.next();
        if (next.done === true) break;
        const type = (next.value as { type?: string }).type;
        if (type === 'disconnect' || type === 'reconnecting' || type === 'close') this.connected = false;
        else if (type === 'reconnect') this.connected = true;
      }
      this.connected = false;
    })().catch(() => {
      this.connected = false;
    });
  }

  private async withTimeout<T>(operation: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(unavailable(`replay store did not answer within ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    // The losing operation may still settle later; its outcome is ignored, never unhandled.
    operation.catch(() => undefined);
    try {
      return await Promise.race([operation, expired]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** One token of a KV key: verbatim base64url, else `=` + base64url(UTF-8); injective either way. */
export function replayKeyPart(value: string): string {
  return VERBATIM.test(value) ? value : `=${Buffer.from(value, 'utf8').toString('base64url')}`;
}

function keyPart(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_REPLAY_KEY_LENGTH) {
    throw new BindingConfigError(`JetStream replay store: ${name} must be a non-empty string of at most ${MAX_REPLAY_KEY_LENGTH} characters`);
  }
  return replayKeyPart(value);
}

function isKeyExists(error: unknown): boolean {
  const { name, code } = (error ?? {}) as { name?: unknown; code?: unknown };
  return name === 'JetStreamApiError' && typeof code === 'number' && KEY_EXISTS_CODES.includes(code);
}

function unavailable(description: string, cause?: unknown): BindingError {
  return new BindingError(FailureType.ReplayStoreUnavailable, description, cause === undefined ? {} : { cause });
}
