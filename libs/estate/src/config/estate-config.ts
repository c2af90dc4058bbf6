import { z } from 'zod';
import { spiffeIdOf, type EstateIdentity } from '../identity/estate-identity.js';
import { EstateConfigError } from './estate-config-error.js';
import type { AppConfiguration } from './app-configuration.js';
import { parseEnvironment, refuseVariable, variable, type Env } from './env-schema.js';
import { loadTlsIdentity, type TlsIdentity } from './tls-identity.js';

/**
 * How an app reaches the estate's NATS fabric, read once from the environment and validated at
 * start-up (the zod schema estateEnvironment: NATS_VARIABLES and OPS_VARIABLES) into a frozen
 * object: a bad variable stops the process with a message that names it. The identity is the
 * app's own (code, not deployment), so it is an argument. ConfigModule namespace `nats`
 * (natsConfiguration) for orders and inventory; the edge and the STS hold it in theirs.
 *
 * Variables: NATS_URL (comma-separated tls:// or nats:// URLs, required); CERTS_DIR (holds
 * `<identity>.crt`, `<identity>.key`, `ca.crt`) or NATS_CERT / NATS_KEY / NATS_CA, each of
 * which overrides the file CERTS_DIR would give; NATS_CONNECT_TIMEOUT_MS,
 * NATS_REQUEST_TIMEOUT_MS, NATS_RECONNECT_WAIT_MS; for a workload that receives hops,
 * HOP_REPLAY_STORE (`jetstream`, the default, or `memory`), and HOP_REPLAY_MAX_ENTRIES and
 * HOP_REPLAY_MAX_PER_SENDER for the in-memory store (H6); CERT_READY_MARGIN_S (L6) and OPS_PORT
 * (the operations server: /healthz, /readyz on 127.0.0.1, off when unset).
 */
export interface EstateConfig<I extends EstateIdentity = EstateIdentity> {
  readonly identity: I;
  readonly spiffeId: string;
  readonly servers: readonly string[];
  readonly tls: TlsIdentity;
  readonly connectTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly reconnectWaitMs: number;
  /** Where a receiver claims hop-proof `jti`s (H6), and the in-memory store's bounds. */
  readonly hopReplay: HopReplayLimits;
  /**
   * L6: not ready with less than this many seconds of certificate validity left (CERT_READY_MARGIN_S);
   * undefined: DEFAULT_CERT_READY_MARGIN_FRACTION of the certificate's lifetime.
   */
  readonly certReadyMarginS?: number | undefined;
  /** The operations HTTP port on 127.0.0.1 (OPS_PORT; 0 picks a free one); undefined: no such server. */
  readonly opsPort?: number | undefined;
}

/**
 * - `jetstream`: the workload's own KV bucket, which every replica shares and which survives a
 *   restart (E17, which H6 applies to hops: "a store that all replicas share").
 * - `memory`: this process only. It is right for exactly one replica that is never restarted
 *   within a proof window; otherwise a hop proof seen by one replica is accepted again by another.
 */
export type HopReplayStoreKind = 'jetstream' | 'memory';

/**
 * A hop proof's `jti` is held for the proof window (about 70 s), so a receiver sustains
 * `maxEntries / 70` hops per second, and one sender `maxEntriesPerSender / 70`: one edge replica
 * is one sender, for every user behind it. Full or over quota, the store refuses (503, fail
 * closed). The per-sender cap keeps one compromised workload from filling the store for all.
 */
export interface HopReplayLimits {
  readonly store: HopReplayStoreKind;
  readonly maxEntries: number;
  readonly maxEntriesPerSender: number;
}

/** Short, because a refused TLS client (no certificate) only learns it by timing out. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000; // milliseconds
/** Nest's ClientProxy.send() never times out by itself; requests use this bound. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 5_000; // milliseconds
export const DEFAULT_RECONNECT_WAIT_MS = 1_000; // milliseconds
/** About 2,800 hops/s per receiver process; at most ~90 MB (450 B an entry, worst case). */
export const DEFAULT_HOP_REPLAY_MAX_ENTRIES = 200_000; // entries
/** About 1,400 hops/s from one sender certificate (one replica of a caller). */
export const DEFAULT_HOP_REPLAY_MAX_PER_SENDER = 100_000; // entries
const MAX_HOP_REPLAY_ENTRIES = 10_000_000; // entries: ~4.5 GB worst case, beyond any sane setting
const MAX_CERT_READY_MARGIN_S = 30 * 86_400; // seconds: a margin beyond a month is a typo

export interface LoadEstateConfigOptions {
  /** The instant the certificate's validity is checked at; tests freeze it. */
  readonly now?: Date;
}

/** NATS_URL: comma-separated tls:// or nats:// URLs, each reduced to `scheme://host:port`. */
function natsServers(raw: string, ctx: z.RefinementCtx): string[] {
  const servers: string[] = [];
  for (const item of raw.split(',')) {
    const entry = item.trim();
    const problem = natsServerProblem(entry);
    if (problem !== undefined) {
      ctx.addIssue({ code: 'custom', message: problem });
      return z.NEVER;
    }
    const url = new URL(entry);
    servers.push(`${url.protocol}//${url.host}`);
  }
  return servers;
}

function natsServerProblem(entry: string): string | undefined {
  let url: URL;
  try {
    url = new URL(entry);
  } catch {
    return `is not a URL: "${entry}"`;
  }
  if (url.protocol !== 'tls:' && url.protocol !== 'nats:') return `must use tls:// or nats://, got "${url.protocol}//"`;
  // The certificate is the only credential: a user or token in the URL would be a second one.
  if (url.username !== '' || url.password !== '') return 'must not carry credentials';
  if (url.hostname === '' || url.port === '') return `needs a host and a port: "${entry}"`;
  if (url.pathname !== '' && url.pathname !== '/') return `must not have a path: "${entry}"`;
  return undefined;
}

/**
 * The operations server and readiness (every workload; the HTTP apps' telemetry reads OPS_PORT too).
 * Namespace `ops` of the apps' configuration.
 */
export const OPS_VARIABLES = {
  OPS_PORT: variable.optionalInteger(0, 65535),
  CERT_READY_MARGIN_S: variable.optionalInteger(0, MAX_CERT_READY_MARGIN_S),
};

/** The fabric: where the broker is, this workload's certificate files, timeouts, hop replay (H6). Namespace `nats`. */
export const NATS_VARIABLES = {
  NATS_URL: variable.required('tls://127.0.0.1:4443').transform(natsServers),
  CERTS_DIR: variable.optional(),
  NATS_CERT: variable.optional(),
  NATS_KEY: variable.optional(),
  NATS_CA: variable.optional(),
  NATS_CONNECT_TIMEOUT_MS: variable.integer(DEFAULT_CONNECT_TIMEOUT_MS, 100, 60_000),
  NATS_REQUEST_TIMEOUT_MS: variable.integer(DEFAULT_REQUEST_TIMEOUT_MS, 50, 120_000),
  NATS_RECONNECT_WAIT_MS: variable.integer(DEFAULT_RECONNECT_WAIT_MS, 50, 60_000),
  HOP_REPLAY_STORE: variable.oneOf<HopReplayStoreKind>(['jetstream', 'memory']),
  HOP_REPLAY_MAX_ENTRIES: variable.integer(DEFAULT_HOP_REPLAY_MAX_ENTRIES, 1, MAX_HOP_REPLAY_ENTRIES),
  HOP_REPLAY_MAX_PER_SENDER: variable.optionalInteger(1, MAX_HOP_REPLAY_ENTRIES),
};

/** Every variable loadEstateConfig reads, validated together. */
export const ESTATE_VARIABLES = { ...NATS_VARIABLES, ...OPS_VARIABLES };

/**
 * The estate's environment schema. The per-sender cap may not exceed the total; a total below the
 * default per-sender cap lowers that cap with it.
 */
export const estateEnvironment = z.object(ESTATE_VARIABLES).transform((vars, ctx) => {
  const perSender = vars.HOP_REPLAY_MAX_PER_SENDER ?? Math.min(DEFAULT_HOP_REPLAY_MAX_PER_SENDER, vars.HOP_REPLAY_MAX_ENTRIES);
  if (perSender > vars.HOP_REPLAY_MAX_ENTRIES) {
    refuseVariable(ctx, 'HOP_REPLAY_MAX_PER_SENDER', `must be an integer from 1 to ${vars.HOP_REPLAY_MAX_ENTRIES}, got "${perSender}"`);
    return z.NEVER;
  }
  return { ...vars, HOP_REPLAY_MAX_PER_SENDER: perSender };
});
export type EstateVariables = z.output<typeof estateEnvironment>;

function filePath(vars: EstateVariables, variable: 'NATS_CERT' | 'NATS_KEY' | 'NATS_CA', fileName: string): { variable: string; path: string } {
  const explicit = vars[variable];
  if (explicit !== undefined) return { variable, path: explicit };
  if (vars.CERTS_DIR !== undefined) return { variable: 'CERTS_DIR', path: `${vars.CERTS_DIR.replace(/\/+$/, '')}/${fileName}` };
  throw new EstateConfigError(variable, 'is required (or set CERTS_DIR to a folder holding it)');
}

/** Validates `env` (a bad variable throws an EstateConfigError naming it), then reads the certificate files. */
export function loadEstateConfig<I extends EstateIdentity>(env: Env, identity: I, options: LoadEstateConfigOptions = {}): EstateConfig<I> {
  return estateConfigFrom(parseEnvironment(estateEnvironment, env), identity, options);
}

/** The frozen configuration from variables already validated (ConfigModule's `validate` did it). */
function estateConfigFrom<I extends EstateIdentity>(vars: EstateVariables, identity: I, options: LoadEstateConfigOptions = {}): EstateConfig<I> {
  const spiffeId = spiffeIdOf(identity);
  const tls = loadTlsIdentity({
    cert: filePath(vars, 'NATS_CERT', `${identity}.crt`),
    key: filePath(vars, 'NATS_KEY', `${identity}.key`),
    ca: filePath(vars, 'NATS_CA', 'ca.crt'),
    spiffeId,
    now: options.now ?? new Date(),
  });
  return Object.freeze({
    identity,
    spiffeId,
    servers: Object.freeze(vars.NATS_URL),
    tls,
    connectTimeoutMs: vars.NATS_CONNECT_TIMEOUT_MS,
    requestTimeoutMs: vars.NATS_REQUEST_TIMEOUT_MS,
    reconnectWaitMs: vars.NATS_RECONNECT_WAIT_MS,
    hopReplay: Object.freeze({ store: vars.HOP_REPLAY_STORE, maxEntries: vars.HOP_REPLAY_MAX_ENTRIES, maxEntriesPerSender: vars.HOP_REPLAY_MAX_PER_SENDER }),
    certReadyMarginS: vars.CERT_READY_MARGIN_S,
    opsPort: vars.OPS_PORT,
  });
}

/** ConfigModule namespace `nats` of a workload (orders, inventory): its fabric configuration from the process environment. */
export function natsConfiguration<I extends EstateIdentity>(identity: I): AppConfiguration<'nats', EstateConfig<I>> {
  return { namespace: 'nats', load: (env) => loadEstateConfig(env, identity) };
}
