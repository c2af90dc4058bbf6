import { DEFAULT_REPLAY_MAX_ENTRIES, DEFAULT_REPLAY_MAX_ENTRIES_PER_SCOPE } from '#binding';
import { loadEstateConfig, type EstateConfig } from '#estate';

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

type Env = Readonly<Record<string, string | undefined>>;

export class EdgeConfigError extends Error {
  constructor(variable: string, problem: string) {
    super(`${variable}: ${problem}`);
    this.name = 'EdgeConfigError';
  }
}

function optional(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function required(env: Env, name: string): string {
  const value = optional(env, name);
  if (value === undefined) throw new EdgeConfigError(name, 'is required');
  return value;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = optional(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new EdgeConfigError(name, `must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function httpUrl(name: string, raw: string, originOnly: boolean): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new EdgeConfigError(name, `is not an absolute URL: "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new EdgeConfigError(name, 'must be an http(s) URL');
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    throw new EdgeConfigError(name, 'must not carry credentials, a query or a fragment');
  }
  if (originOnly && url.pathname !== '/') throw new EdgeConfigError(name, 'must be an origin (no path); use EDGE_PATH_PREFIX');
  return originOnly ? url.origin : raw;
}

function oneOf<T extends string>(env: Env, name: string, values: readonly T[]): T {
  const value = optional(env, name) ?? values[0];
  if (!(values as readonly string[]).includes(value as string)) throw new EdgeConfigError(name, `must be one of ${values.join(', ')}`);
  return value as T;
}

function list(env: Env, name: string): string[] {
  return (optional(env, name) ?? '').split(',').map((item) => item.trim()).filter((item) => item !== '');
}

export function loadEdgeConfig(env: Env): EdgeConfig {
  const port = integer(env, 'EDGE_PORT', DEFAULT_EDGE_PORT, 0, 65535);
  const publicUrl = httpUrl('EDGE_PUBLIC_URL', optional(env, 'EDGE_PUBLIC_URL') ?? `http://localhost:${port}`, true);
  const pathPrefix = optional(env, 'EDGE_PATH_PREFIX') ?? '';
  if (pathPrefix !== '' && !/^(\/[A-Za-z0-9._~-]+)+$/.test(pathPrefix)) {
    throw new EdgeConfigError('EDGE_PATH_PREFIX', 'must look like /api or /api/v1 (no trailing slash)');
  }
  const nonceMode = optional(env, 'DPOP_NONCE') ?? 'off';
  if (nonceMode !== 'off' && nonceMode !== 'required') throw new EdgeConfigError('DPOP_NONCE', 'must be "off" or "required"');
  const nonceSecret = optional(env, 'DPOP_NONCE_SECRET');
  if (nonceMode === 'required' && nonceSecret === undefined) {
    throw new EdgeConfigError('DPOP_NONCE_SECRET', 'is required when DPOP_NONCE=required (32+ random bytes, base64url)');
  }
  const jwksUri = optional(env, 'AUTH_JWKS_URI');
  const algorithms = list(env, 'DPOP_ALGS');
  const replayStore = oneOf<ReplayStoreKind>(env, 'REPLAY_STORE', ['memory', 'jetstream']);
  return Object.freeze({
    port,
    host: optional(env, 'EDGE_HOST') ?? '127.0.0.1',
    publicUrl,
    pathPrefix,
    audience: optional(env, 'EDGE_AUDIENCE') ?? publicUrl,
    issuer: httpUrl('AUTH_ISSUER', required(env, 'AUTH_ISSUER'), false),
    jwksUri: jwksUri === undefined ? undefined : httpUrl('AUTH_JWKS_URI', jwksUri, false),
    jwksCooldownMs: integer(env, 'AUTH_JWKS_COOLDOWN_S', DEFAULT_JWKS_COOLDOWN_S, 0, 3600) * 1000,
    dpopAlgorithms: Object.freeze(algorithms.length > 0 ? algorithms : [...DEFAULT_DPOP_ALGORITHMS]),
    nonceMode,
    nonceSecret,
    iatPastSeconds: integer(env, 'DPOP_IAT_PAST_S', DEFAULT_IAT_PAST_S, 1, 600),
    iatFutureSeconds: integer(env, 'DPOP_IAT_FUTURE_S', DEFAULT_IAT_FUTURE_S, 0, 600),
    trustedProxies: Object.freeze(list(env, 'EDGE_TRUSTED_PROXIES')),
    corsOrigins: Object.freeze(list(env, 'EDGE_CORS_ORIGINS')),
    httpAdapter: oneOf<HttpAdapterKind>(env, 'EDGE_HTTP_ADAPTER', ['fastify', 'express']),
    replayStore,
    replayMemory: replayMemoryLimits(env),
    nats: replayStore === 'jetstream' || optional(env, 'NATS_URL') !== undefined ? loadEstateConfig(env, 'edge') : undefined,
  });
}

/**
 * EDGE_REPLAY_MAX_ENTRIES (default 100 000, ~1 400 req/s per process over a 70 s window) and
 * EDGE_REPLAY_MAX_PER_KEY (default 10 000, ~140 req/s per client key), each a positive integer;
 * the per-key cap may not exceed the total. A total below the default per-key cap lowers that cap
 * with it. Memory stays bounded: at most MAX_EDGE_REPLAY_ENTRIES entries of ~170-450 B.
 */
function replayMemoryLimits(env: Env): ReplayMemoryLimits {
  const maxEntries = integer(env, 'EDGE_REPLAY_MAX_ENTRIES', DEFAULT_REPLAY_MAX_ENTRIES, 1, MAX_EDGE_REPLAY_ENTRIES);
  const maxEntriesPerKey = integer(env, 'EDGE_REPLAY_MAX_PER_KEY', Math.min(DEFAULT_REPLAY_MAX_ENTRIES_PER_SCOPE, maxEntries), 1, maxEntries);
  return Object.freeze({ maxEntries, maxEntriesPerKey });
}
