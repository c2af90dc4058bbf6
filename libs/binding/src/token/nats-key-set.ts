import type { NatsConnection } from '@nats-io/transport-node';
import { createLocalJWKSet, errors, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { BindingConfigError, BindingError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import { integerOption } from '../options/integer-range.js';

/** A verifier waits at most this long for the STS to answer on `sts.jwks`. */
export const DEFAULT_NATS_JWKS_TIMEOUT_MS = 2_000; // milliseconds per fetch
/**
 * After a successful fetch, an unknown `kid` may trigger the next fetch only this much later. The
 * STS publishes its next key at least this long before it signs with it (apps/sts key ring), so a
 * rotation never meets a verifier inside its cooldown.
 */
export const DEFAULT_NATS_JWKS_COOLDOWN_MS = 5_000; // milliseconds
/** Keys are refetched when older than this, even if every `kid` is known (retired keys drop out). */
export const DEFAULT_NATS_JWKS_CACHE_MAX_AGE_MS = 300_000; // milliseconds
/** After a failed fetch, verifications fail at once (503) for this long instead of asking again. */
export const DEFAULT_NATS_JWKS_FAILURE_BACKOFF_MS = 1_000; // milliseconds

/** JWK members that only a private or symmetric key has (RFC 7518 §6.2.2, §6.3.2, §6.4). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

export interface NatsKeySetOptions {
  /** A connection whose user may publish to `subject` (the STS answers in the caller's inbox). */
  readonly connection: Pick<NatsConnection, 'request'>;
  /** The subject the STS serves its JWKS on: `sts.jwks`. */
  readonly subject: string;
  readonly timeoutMs?: number;
  readonly cooldownMs?: number;
  readonly cacheMaxAgeMs?: number;
  readonly failureBackoffMs?: number;
  /** Milliseconds since the epoch; tests move it. */
  readonly now?: () => number;
}

/** jose's key resolver over the STS's keys: pass it as `keys` to createAccessTokenVerifier. */
export interface NatsKeySet extends JWTVerifyGetKey {
  /** Fetches the key set now (start-up, or to follow a rotation at once). Rejects with BindingError. */
  reload(): Promise<void>;
  /** The last key set fetched, or undefined before the first fetch. */
  jwks(): JSONWebKeySet | undefined;
}

/**
 * H8: the STS's public keys, fetched over NATS by a request to `sts.jwks` (a plain JWKS document,
 * RFC 7517 §5, as the reply) and resolved with jose's createLocalJWKSet. The same policy as the
 * HTTP key set (remote-key-set.ts): cached, refetched when older than `cacheMaxAgeMs`, refetched
 * once when a token names an unknown `kid` but at most once per `cooldownMs` after a successful
 * fetch (so invented `kid`s cannot make every service hammer the STS), every fetch bounded by
 * `timeoutMs`, and after a failure, requests fail at once for `failureBackoffMs`. Concurrent
 * fetches are shared. A reply that is not a JWKS of public keys is refused: the STS publishing a
 * private key is a fault to surface, not to use.
 *
 * A fetch that fails, times out or finds no responder is KeySetUnavailable (503: retry); a token
 * naming no key of the set fails in jose with JWKSNoMatchingKey, which the token verifier maps to
 * TokenSignature (401). Options are validated here, once; a mistake throws BindingConfigError.
 * Does not check that the keys are the STS's: the broker's permissions do (only the STS may serve
 * `sts.jwks`) and the verifier's `iss` check ties tokens to it.
 */
export function createNatsKeySet(options: NatsKeySetOptions): NatsKeySet {
  const config = resolveOptions(options);
  let resolver: JWTVerifyGetKey | undefined;
  let current: JSONWebKeySet | undefined;
  let fetchedAt = 0;
  let retryAt = 0;
  let pending: Promise<void> | undefined;

  async function fetchOnce(): Promise<void> {
    const now = config.now();
    if (now < retryAt) {
      throw new BindingError(FailureType.KeySetUnavailable, 'the STS key set failed recently; backing off');
    }
    try {
      const reply = await config.connection.request(config.subject, undefined, { timeout: config.timeoutMs });
      const jwks = parseKeySet(reply.json<unknown>());
      resolver = createLocalJWKSet(jwks);
      current = jwks;
      fetchedAt = config.now();
    } catch (cause) {
      retryAt = config.now() + config.failureBackoffMs;
      if (cause instanceof BindingError) throw cause;
      throw new BindingError(FailureType.KeySetUnavailable, 'the STS key set could not be fetched', { cause });
    }
  }

  function reload(): Promise<void> {
    pending ??= fetchOnce().finally(() => {
      pending = undefined;
    });
    return pending;
  }

  const getKey = async (header: Parameters<JWTVerifyGetKey>[0], token: Parameters<JWTVerifyGetKey>[1]) => {
    if (resolver === undefined || config.now() - fetchedAt >= config.cacheMaxAgeMs) await reload();
    try {
      return await resolver!(header, token);
    } catch (error) {
      // RFC 7517 §4.5: a new kid means a new key; look again, unless we just did.
      if (!(error instanceof errors.JWKSNoMatchingKey) || config.now() - fetchedAt < config.cooldownMs) throw error;
      await reload();
      return resolver!(header, token);
    }
  };

  return Object.assign(getKey, { reload, jwks: () => current }) as NatsKeySet;
}

/**
 * RFC 7517 §5: a JSON object whose `keys` member is an array of JWK objects; none may hold a
 * private or symmetric member. Fails with KeySetUnavailable (the STS's fault, not the token's).
 */
function parseKeySet(value: unknown): JSONWebKeySet {
  const keys = typeof value === 'object' && value !== null ? (value as { keys?: unknown }).keys : undefined;
  if (!Array.isArray(keys) || !keys.every((key) => typeof key === 'object' && key !== null && !Array.isArray(key))) {
    throw new BindingError(FailureType.KeySetUnavailable, 'the STS answered with something that is not a JWKS');
  }
  if (keys.some((key) => PRIVATE_MEMBERS.some((member) => Object.hasOwn(key, member)))) {
    throw new BindingError(FailureType.KeySetUnavailable, 'the STS key set holds private key material');
  }
  return { keys: keys as JSONWebKeySet['keys'] };
}

interface ResolvedOptions {
  readonly connection: Pick<NatsConnection, 'request'>;
  readonly subject: string;
  readonly timeoutMs: number;
  readonly cooldownMs: number;
  readonly cacheMaxAgeMs: number;
  readonly failureBackoffMs: number;
  readonly now: () => number;
}

function resolveOptions(options: NatsKeySetOptions): ResolvedOptions {
  if (typeof options?.connection?.request !== 'function') {
    throw new BindingConfigError('NATS key set: connection must provide request()');
  }
  if (typeof options.subject !== 'string' || !/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(options.subject)) {
    throw new BindingConfigError('NATS key set: subject must be a literal NATS subject such as sts.jwks');
  }
  const cooldownMs = integerOption(options.cooldownMs ?? DEFAULT_NATS_JWKS_COOLDOWN_MS, 'NATS key set: cooldownMs', 0, 3_600_000);
  const cacheMaxAgeMs = integerOption(options.cacheMaxAgeMs ?? DEFAULT_NATS_JWKS_CACHE_MAX_AGE_MS, 'NATS key set: cacheMaxAgeMs', 1_000, 86_400_000);
  if (cooldownMs > cacheMaxAgeMs) throw new BindingConfigError('NATS key set: cooldownMs must not exceed cacheMaxAgeMs');
  if (options.now !== undefined && typeof options.now !== 'function') {
    throw new BindingConfigError('NATS key set: now must be a function returning milliseconds');
  }
  return Object.freeze({
    connection: options.connection,
    subject: options.subject,
    timeoutMs: integerOption(options.timeoutMs ?? DEFAULT_NATS_JWKS_TIMEOUT_MS, 'NATS key set: timeoutMs', 1, 60_000),
    cooldownMs,
    cacheMaxAgeMs,
    failureBackoffMs: integerOption(options.failureBackoffMs ?? DEFAULT_NATS_JWKS_FAILURE_BACKOFF_MS, 'NATS key set: failureBackoffMs', 0, 600_000),
    now: options.now ?? Date.now,
  });
}
