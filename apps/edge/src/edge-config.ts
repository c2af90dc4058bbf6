import { DEFAULT_REPLAY_MAX_ENTRIES, DEFAULT_REPLAY_MAX_ENTRIES_PER_SCOPE } from '#binding/core';
import {
  EstateConfigError,
  httpUrlVariable,
  integerVariable,
  listVariable,
  loadEstateConfig,
  oneOfVariable,
  optionalVariable,
  requiredVariable,
  type Env,
  type EstateConfig,
} from '#estate';

/**
 * The edge's configuration, read once from the environment and validated at start-up: a bad
 * variable stops the process with a message that names it. Nothing else reads process.env.
 */
export type NonceMode = 'off' | 'required';
/** Where proof `jti`s are claimed (E17): this process only, or a JetStream KV bucket all replicas share. */
export type ReplayStoreKind = 'memory' | 'jetstream';
export type HttpAdapterKind = 'fastify' | 'express';

export interface EdgeConfig {
  readonly port: number;
  readonly host: string;
  /** Public origin clients use; the effective request URI (htu) is rebuilt from it (E14). */
  readonly publicUrl: string;
  /** Optional path prefix a reverse proxy strips before the request reaches the edge. */
  readonly pathPrefix: string;
  /** The `aud` the authorization server puts in tokens for this resource. */
  readonly audience: string;
  readonly issuer: string;
  readonly jwksUri: string | undefined;
  /** Least time between two JWKS refetches for an unknown `kid` (key rotation). */
  readonly jwksCooldownMs: number;
  readonly dpopAlgorithms: readonly string[];
  readonly nonceMode: NonceMode;
  readonly nonceSecret: string | undefined;
  readonly iatPastSeconds: number;
  readonly iatFutureSeconds: number;
  readonly trustedProxies: readonly string[];
  readonly corsOrigins: readonly string[];
  readonly httpAdapter: HttpAdapterKind;
  readonly replayStore: ReplayStoreKind;
  /**
   * E17 bounds of the in-memory replay store (`REPLAY_STORE=memory`): live `jti` claims held, all
   * clients together, and from one client key. Each claim lives the proof window (70 s by default),
   * so they cap the sustained rate: entries / window requests per second. Full is 503, fail closed.
   */
  readonly replayMemory: ReplayMemoryLimits;
  /**
   * The NATS fabric (libs/estate variables), read when NATS_URL is set (the order routes call
   * orders over it) or the replay store is `jetstream` (which then requires it). Without it the
   * edge still serves /v1/me, /healthz and its metadata; the order routes answer 503.
   */
  readonly nats: EstateConfig<'edge'> | undefined;
}

export const DEFAULT_EDGE_PORT = 3000;
export const DEFAULT_DPOP_ALGORITHMS = ['ES256', 'EdDSA', 'PS256'] as const;
export const DEFAULT_IAT_PAST_S = 60; // seconds
export const DEFAULT_IAT_FUTURE_S = 10; // seconds
export const DEFAULT_JWKS_COOLDOWN_S = 30; // seconds
/** ~4.5 GB at the store's worst case of 450 B an entry: a bound on memory, beyond any sane setting. */
export const MAX_EDGE_REPLAY_ENTRIES = 10_000_000; // entries

export interface ReplayMemoryLimits {
  readonly maxEntries: number;
  readonly maxEntriesPerKey: number;
}

export function loadEdgeConfig(env: Env): EdgeConfig {
  const port = integerVariable(env, 'EDGE_PORT', DEFAULT_EDGE_PORT, 0, 65535);
  const publicUrl = httpUrlVariable('EDGE_PUBLIC_URL', optionalVariable(env, 'EDGE_PUBLIC_URL') ?? `http://localhost:${port}`, {
    form: 'origin',
    originReason: 'use EDGE_PATH_PREFIX',
  });
  const pathPrefix = optionalVariable(env, 'EDGE_PATH_PREFIX') ?? '';
  if (pathPrefix !== '' && !/^(\/[A-Za-z0-9._~-]+)+$/.test(pathPrefix)) {
    throw new EstateConfigError('EDGE_PATH_PREFIX', 'must look like /api or /api/v1 (no trailing slash)');
  }
  const nonceMode = oneOfVariable<NonceMode>(env, 'DPOP_NONCE', ['off', 'required']);
  const nonceSecret = optionalVariable(env, 'DPOP_NONCE_SECRET');
  if (nonceMode === 'required' && nonceSecret === undefined) {
    throw new EstateConfigError('DPOP_NONCE_SECRET', 'is required when DPOP_NONCE=required (32+ random bytes, base64url)');
  }
  const jwksUri = optionalVariable(env, 'AUTH_JWKS_URI');
  const algorithms = listVariable(env, 'DPOP_ALGS');
  const replayStore = oneOfVariable<ReplayStoreKind>(env, 'REPLAY_STORE', ['memory', 'jetstream']);
  return Object.freeze({
    port,
    host: optionalVariable(env, 'EDGE_HOST') ?? '127.0.0.1',
    publicUrl,
    pathPrefix,
    audience: optionalVariable(env, 'EDGE_AUDIENCE') ?? publicUrl,
    issuer: httpUrlVariable('AUTH_ISSUER', requiredVariable(env, 'AUTH_ISSUER')),
    jwksUri: jwksUri === undefined ? undefined : httpUrlVariable('AUTH_JWKS_URI', jwksUri),
    jwksCooldownMs: integerVariable(env, 'AUTH_JWKS_COOLDOWN_S', DEFAULT_JWKS_COOLDOWN_S, 0, 3600) * 1000,
    dpopAlgorithms: Object.freeze(algorithms.length > 0 ? algorithms : [...DEFAULT_DPOP_ALGORITHMS]),
    nonceMode,
    nonceSecret,
    iatPastSeconds: integerVariable(env, 'DPOP_IAT_PAST_S', DEFAULT_IAT_PAST_S, 1, 600),
    iatFutureSeconds: integerVariable(env, 'DPOP_IAT_FUTURE_S', DEFAULT_IAT_FUTURE_S, 0, 600),
    trustedProxies: Object.freeze(listVariable(env, 'EDGE_TRUSTED_PROXIES')),
    corsOrigins: Object.freeze(listVariable(env, 'EDGE_CORS_ORIGINS')),
    httpAdapter: oneOfVariable<HttpAdapterKind>(env, 'EDGE_HTTP_ADAPTER', ['fastify', 'express']),
    replayStore,
    replayMemory: replayMemoryLimits(env),
    nats: replayStore === 'jetstream' || optionalVariable(env, 'NATS_URL') !== undefined ? loadEstateConfig(env, 'edge') : undefined,
  });
}

/**
 * EDGE_REPLAY_MAX_ENTRIES (default 100 000, ~1 400 req/s per process over a 70 s window) and
 * EDGE_REPLAY_MAX_PER_KEY (default 10 000, ~140 req/s per client key), each a positive integer;
 * the per-key cap may not exceed the total. A total below the default per-key cap lowers that cap
 * with it. Memory stays bounded: at most MAX_EDGE_REPLAY_ENTRIES entries of ~170-450 B.
 */
function replayMemoryLimits(env: Env): ReplayMemoryLimits {
  const maxEntries = integerVariable(env, 'EDGE_REPLAY_MAX_ENTRIES', DEFAULT_REPLAY_MAX_ENTRIES, 1, MAX_EDGE_REPLAY_ENTRIES);
  const maxEntriesPerKey = integerVariable(env, 'EDGE_REPLAY_MAX_PER_KEY', Math.min(DEFAULT_REPLAY_MAX_ENTRIES_PER_SCOPE, maxEntries), 1, maxEntries);
  return Object.freeze({ maxEntries, maxEntriesPerKey });
}
