import { spiffeIdOf, type EstateIdentity } from '../identity/estate-identity.js';
import { EstateConfigError } from './estate-config-error.js';
import { integerVariable, oneOfVariable, optionalVariable, requiredVariable, type Env } from './env-variables.js';
import { loadTlsIdentity, type TlsIdentity } from './tls-identity.js';

/**
 * How an app reaches the estate's NATS fabric, read once from the environment and validated at
 * start-up into a frozen object: a bad variable stops the process with a message that names
 * it. The identity is the app's own (code, not deployment), so it is an argument.
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

function natsServers(env: Env): string[] {
  const raw = requiredVariable(env, 'NATS_URL', 'tls://127.0.0.1:4443');
  return raw.split(',').map((item) => {
    const entry = item.trim();
    let url: URL;
    try {
      url = new URL(entry);
    } catch {
      throw new EstateConfigError('NATS_URL', `is not a URL: "${entry}"`);
    }
    if (url.protocol !== 'tls:' && url.protocol !== 'nats:') {
      throw new EstateConfigError('NATS_URL', `must use tls:// or nats://, got "${url.protocol}//"`);
    }
    // The certificate is the only credential: a user or token in the URL would be a second one.
    if (url.username !== '' || url.password !== '') throw new EstateConfigError('NATS_URL', 'must not carry credentials');
    if (url.hostname === '' || url.port === '') throw new EstateConfigError('NATS_URL', `needs a host and a port: "${entry}"`);
    if (url.pathname !== '' && url.pathname !== '/') throw new EstateConfigError('NATS_URL', `must not have a path: "${entry}"`);
    return `${url.protocol}//${url.host}`;
  });
}

function filePath(env: Env, variable: string, certsDir: string | undefined, fileName: string): { variable: string; path: string } {
  const explicit = optionalVariable(env, variable);
  if (explicit !== undefined) return { variable, path: explicit };
  if (certsDir !== undefined) return { variable: 'CERTS_DIR', path: `${certsDir.replace(/\/+$/, '')}/${fileName}` };
  throw new EstateConfigError(variable, 'is required (or set CERTS_DIR to a folder holding it)');
}

export function loadEstateConfig<I extends EstateIdentity>(env: Env, identity: I, options: LoadEstateConfigOptions = {}): EstateConfig<I> {
  const servers = natsServers(env);
  const certsDir = optionalVariable(env, 'CERTS_DIR');
  const spiffeId = spiffeIdOf(identity);
  const tls = loadTlsIdentity({
    cert: filePath(env, 'NATS_CERT', certsDir, `${identity}.crt`),
    key: filePath(env, 'NATS_KEY', certsDir, `${identity}.key`),
    ca: filePath(env, 'NATS_CA', certsDir, 'ca.crt'),
    spiffeId,
    now: options.now ?? new Date(),
  });
  return Object.freeze({
    identity,
    spiffeId,
    servers: Object.freeze(servers),
    tls,
    connectTimeoutMs: integerVariable(env, 'NATS_CONNECT_TIMEOUT_MS', DEFAULT_CONNECT_TIMEOUT_MS, 100, 60_000),
    requestTimeoutMs: integerVariable(env, 'NATS_REQUEST_TIMEOUT_MS', DEFAULT_REQUEST_TIMEOUT_MS, 50, 120_000),
    reconnectWaitMs: integerVariable(env, 'NATS_RECONNECT_WAIT_MS', DEFAULT_RECONNECT_WAIT_MS, 50, 60_000),
    hopReplay: hopReplayLimits(env),
    certReadyMarginS: optionalVariable(env, 'CERT_READY_MARGIN_S') === undefined ? undefined : integerVariable(env, 'CERT_READY_MARGIN_S', 0, 0, MAX_CERT_READY_MARGIN_S),
    opsPort: optionalVariable(env, 'OPS_PORT') === undefined ? undefined : integerVariable(env, 'OPS_PORT', 0, 0, 65535),
  });
}

function hopReplayLimits(env: Env): HopReplayLimits {
  const maxEntries = integerVariable(env, 'HOP_REPLAY_MAX_ENTRIES', DEFAULT_HOP_REPLAY_MAX_ENTRIES, 1, MAX_HOP_REPLAY_ENTRIES);
  const maxEntriesPerSender = integerVariable(env, 'HOP_REPLAY_MAX_PER_SENDER', Math.min(DEFAULT_HOP_REPLAY_MAX_PER_SENDER, maxEntries), 1, maxEntries);
  return Object.freeze({ store: oneOfVariable<HopReplayStoreKind>(env, 'HOP_REPLAY_STORE', ['jetstream', 'memory']), maxEntries, maxEntriesPerSender });
}
