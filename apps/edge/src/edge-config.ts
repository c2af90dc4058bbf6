import { DEFAULT_IAT_FUTURE_S, DEFAULT_IAT_PAST_S, MAX_IAT_WINDOW_S } from '#binding/core';
import { z } from 'zod';
import { loadEstateConfig, optionalVariable, parseEnvironment, refuseVariable, variable, type AppConfiguration, type Env, type EstateConfig } from '#estate';

/**
 * The edge's configuration, read once from the environment and validated at start-up against
 * EDGE_VARIABLES (zod): a bad variable stops the process with a message that names it. Nothing
 * else reads process.env. ConfigModule namespace `edge` (edgeConfiguration).
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
export const DEFAULT_JWKS_COOLDOWN_S = 30; // seconds
/** ~4.5 GB at the store's worst case of 450 B an entry: a bound on memory, beyond any sane setting. */
export const MAX_EDGE_REPLAY_ENTRIES = 10_000_000; // entries
/** MemoryReplayStore's own defaults, kept when the variables are unset (edge-config.spec pins them to the library's). */
export const DEFAULT_EDGE_REPLAY_MAX_ENTRIES = 100_000; // entries, all keys together
export const DEFAULT_EDGE_REPLAY_MAX_PER_KEY = 10_000; // entries per DPoP key

export interface ReplayMemoryLimits {
  readonly maxEntries: number;
  readonly maxEntriesPerKey: number;
}

/** Every variable the edge reads, with its rule and default (the NATS ones are libs/estate's). */
export const EDGE_VARIABLES = {
  EDGE_PORT: variable.integer(DEFAULT_EDGE_PORT, 0, 65535),
  EDGE_HOST: variable.optional(),
  // Default: http://localhost:<EDGE_PORT>.
  EDGE_PUBLIC_URL: variable.httpUrl({ form: 'origin', originReason: 'use EDGE_PATH_PREFIX' }),
  EDGE_PATH_PREFIX: variable.matching(/^(\/[A-Za-z0-9._~-]+)+$/, 'must look like /api or /api/v1 (no trailing slash)'),
  // Default: the public URL.
  EDGE_AUDIENCE: variable.optional(),
  AUTH_ISSUER: variable.requiredHttpUrl(),
  AUTH_JWKS_URI: variable.httpUrl(),
  AUTH_JWKS_COOLDOWN_S: variable.integer(DEFAULT_JWKS_COOLDOWN_S, 0, 3600),
  DPOP_ALGS: variable.list(),
  DPOP_NONCE: variable.oneOf<NonceMode>(['off', 'required']),
  DPOP_NONCE_SECRET: variable.optional(),
  DPOP_IAT_PAST_S: variable.integer(DEFAULT_IAT_PAST_S, 1, MAX_IAT_WINDOW_S),
  DPOP_IAT_FUTURE_S: variable.integer(DEFAULT_IAT_FUTURE_S, 0, MAX_IAT_WINDOW_S),
  EDGE_TRUSTED_PROXIES: variable.list(),
  EDGE_CORS_ORIGINS: variable.list(),
  EDGE_HTTP_ADAPTER: variable.oneOf<HttpAdapterKind>(['fastify', 'express']),
  REPLAY_STORE: variable.oneOf<ReplayStoreKind>(['memory', 'jetstream']),
  EDGE_REPLAY_MAX_ENTRIES: variable.integer(DEFAULT_EDGE_REPLAY_MAX_ENTRIES, 1, MAX_EDGE_REPLAY_ENTRIES),
  // Default: DEFAULT_EDGE_REPLAY_MAX_PER_KEY, or the total when that is lower.
  EDGE_REPLAY_MAX_PER_KEY: variable.optionalInteger(1, MAX_EDGE_REPLAY_ENTRIES),
};

/** The edge's environment schema: each variable, then the rules that compare two of them. */
export const edgeEnvironment = z.object(EDGE_VARIABLES).transform((vars, ctx) => {
  if (vars.DPOP_NONCE === 'required' && vars.DPOP_NONCE_SECRET === undefined) {
    refuseVariable(ctx, 'DPOP_NONCE_SECRET', 'is required when DPOP_NONCE=required (32+ random bytes, base64url)');
    return z.NEVER;
  }
  // E17: the per-key cap may not exceed the total; a total below the default per-key cap lowers that cap with it.
  const perKey = vars.EDGE_REPLAY_MAX_PER_KEY ?? Math.min(DEFAULT_EDGE_REPLAY_MAX_PER_KEY, vars.EDGE_REPLAY_MAX_ENTRIES);
  if (perKey > vars.EDGE_REPLAY_MAX_ENTRIES) {
    refuseVariable(ctx, 'EDGE_REPLAY_MAX_PER_KEY', `must be an integer from 1 to ${vars.EDGE_REPLAY_MAX_ENTRIES}, got "${perKey}"`);
    return z.NEVER;
  }
  return { ...vars, EDGE_REPLAY_MAX_PER_KEY: perKey };
});

export function loadEdgeConfig(env: Env): EdgeConfig {
  const vars = parseEnvironment(edgeEnvironment, env);
  const publicUrl = vars.EDGE_PUBLIC_URL ?? `http://localhost:${vars.EDGE_PORT}`;
  const algorithms = vars.DPOP_ALGS;
  return Object.freeze({
    port: vars.EDGE_PORT,
    host: vars.EDGE_HOST ?? '127.0.0.1',
    publicUrl,
    pathPrefix: vars.EDGE_PATH_PREFIX ?? '',
    audience: vars.EDGE_AUDIENCE ?? publicUrl,
    issuer: vars.AUTH_ISSUER,
    jwksUri: vars.AUTH_JWKS_URI,
    jwksCooldownMs: vars.AUTH_JWKS_COOLDOWN_S * 1000,
    dpopAlgorithms: Object.freeze(algorithms.length > 0 ? algorithms : [...DEFAULT_DPOP_ALGORITHMS]),
    nonceMode: vars.DPOP_NONCE,
    nonceSecret: vars.DPOP_NONCE_SECRET,
    iatPastSeconds: vars.DPOP_IAT_PAST_S,
    iatFutureSeconds: vars.DPOP_IAT_FUTURE_S,
    trustedProxies: Object.freeze(vars.EDGE_TRUSTED_PROXIES),
    corsOrigins: Object.freeze(vars.EDGE_CORS_ORIGINS),
    httpAdapter: vars.EDGE_HTTP_ADAPTER,
    replayStore: vars.REPLAY_STORE,
    replayMemory: Object.freeze({ maxEntries: vars.EDGE_REPLAY_MAX_ENTRIES, maxEntriesPerKey: vars.EDGE_REPLAY_MAX_PER_KEY }),
    nats: vars.REPLAY_STORE === 'jetstream' || optionalVariable(env, 'NATS_URL') !== undefined ? loadEstateConfig(env, 'edge') : undefined,
  });
}

/** ConfigModule namespace `edge`: the edge's configuration from the process environment. */
export const edgeConfiguration: AppConfiguration<'edge', EdgeConfig> = { namespace: 'edge', load: loadEdgeConfig };
