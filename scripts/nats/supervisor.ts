import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AuthorizationError, connect } from '@nats-io/transport-node';
import { ensureNatsServer } from './ensure-nats-server.js';
import { givenNatsServer, type NatsServerBinary, type NatsServerSource } from './find-nats-server.js';
import { findFreePort } from './free-port.js';
import { killOnExit } from './kill-on-exit.js';
import { assertPinsFilePinsSomething } from './nats-server-pins.js';
import { signalReload } from './nats-server-reload.js';
import type { IdentityPermissions } from './permission-table.js';
import { renderNatsConfig, type NatsClusterConfig } from './render-nats-config.js';

/**
 * Runs a nats-server of our own for tests and the demo: its own free port, its own
 * configuration rendered from the permission table, its own temporary data folder. "Ready"
 * means a client presenting a valid estate certificate completed a round trip, not merely that
 * the port is open. Never touches a nats-server it did not start (e.g. one on 4222).
 * The binary is the pinned release (ensureNatsServer: found, or built once with Go); reload()
 * applies new certificate, trust-bundle and pin files without a restart (SECURITY.md L1, L4, T5).
 */
export interface NatsSupervisorOptions {
  /** The server's certificate, key and the estate CA it verifies clients against. */
  readonly tls: { readonly certFile: string; readonly keyFile: string; readonly caFile: string };
  /** A client identity the readiness probe connects as (it must map to a configured user). */
  readonly probe: { readonly certFile: string; readonly keyFile: string };
  readonly host?: string;
  /** Default: a free port, picked again if another process takes it first. */
  readonly port?: number;
  readonly permissions?: readonly IdentityPermissions[];
  /** Default: ensureNatsServer() (the pinned release, built if missing). A given binary is not version-checked. */
  readonly binary?: string;
  /** A `pinned_certs` file included in the tls block (render-nats-config.ts); must pin at least one key. */
  readonly pinsFile?: string;
  readonly readyTimeoutMs?: number;
  readonly stopTimeoutMs?: number;
  /** Adds -DV: protocol tracing into logs(). */
  readonly trace?: boolean;
  /** Unique per node of a cluster (JetStream needs it); default DEFAULT_SERVER_NAME. */
  readonly serverName?: string;
  /** Makes this server a cluster node (cluster-supervisor.ts starts three). */
  readonly cluster?: NatsClusterConfig;
  /** A monitoring port on `host` (`/healthz`), e.g. for a probe; none by default. */
  readonly httpPort?: number;
}

export const DEFAULT_READY_TIMEOUT_MS = 10_000; // milliseconds
export const DEFAULT_STOP_TIMEOUT_MS = 5_000; // milliseconds
/** A reload re-reads config and certificate files: fast, but a busy 2-core machine can stall it. */
export const DEFAULT_RELOAD_TIMEOUT_MS = 15_000; // milliseconds
const PROBE_TIMEOUT_MS = 1_000; // milliseconds
const PROBE_INTERVAL_MS = 100; // milliseconds
const PORT_ATTEMPTS = 3;
const LOG_LIMIT_CHARS = 64 * 1024;

/** What reload() may change: files and permissions, never the port or data folder. */
export type NatsReloadChanges = Partial<Pick<NatsSupervisorOptions, 'tls' | 'pinsFile' | 'permissions'>>;

export class NatsSupervisor {
  readonly host: string;
  readonly dataDir: string;
  readonly configPath: string;
  #port: number;
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  #log = '';
  #stopped = false;
  #options: NatsSupervisorOptions;
  readonly #binary: string;
  /** Told every chunk of server output (reload() waits on them). */
  readonly #outputListeners = new Set<(chunk: string) => void>();
  #reloads: Promise<unknown> = Promise.resolve();
  /** The binary's version, e.g. `2.15.3` ('unknown' for a given binary that did not say). */
  readonly version: string;
  /** Where the binary came from ('given' for options.binary). */
  readonly binarySource: NatsServerSource;
  // If the test process dies without stop(), do not leave a server running behind it.
  readonly #forgetOnExit = killOnExit(() => this.#child?.kill('SIGKILL'));

  private constructor(options: NatsSupervisorOptions, binary: NatsServerBinary, dataDir: string, port: number) {
    this.#options = options;
    this.#binary = binary.path;
    this.version = binary.version;
    this.binarySource = binary.source;
    this.host = options.host ?? '127.0.0.1';
    this.dataDir = dataDir;
    this.configPath = join(dataDir, 'nats.conf');
    this.#port = port;
  }

  /** Starts a server and resolves once it accepts an authenticated client. */
  static async start(options: NatsSupervisorOptions): Promise<NatsSupervisor> {
    const binary = options.binary === undefined ? await ensureNatsServer() : givenNatsServer(options.binary);
    const dataDir = await mkdtemp(join(tmpdir(), 'estate-nats-'));
    const host = options.host ?? '127.0.0.1';
    const supervisor = new NatsSupervisor(options, binary, dataDir, options.port ?? (await findFreePort(host)));
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          await supervisor.#launch();
          return supervisor;
        } catch (error) {
          const portTaken = /address already in use/i.test(supervisor.#log);
          if (!portTaken || options.port !== undefined || attempt >= PORT_ATTEMPTS) throw error;
          supervisor.#port = await findFreePort(host);
        }
      }
    } catch (error) {
      await supervisor.stop();
      throw error;
    }
  }

  get port(): number {
    return this.#port;
  }

  get url(): string {
    return `tls://${this.host}:${this.#port}`;
  }

  get pid(): number | undefined {
    return this.running ? this.#child!.pid : undefined;
  }

  get running(): boolean {
    const child = this.#child;
    return child?.pid !== undefined && child.exitCode === null && child.signalCode === null;
  }

  /** The server's recent output (it logs to stderr), e.g. to see why it refused a client. */
  logs(): string {
    return this.#log;
  }

  /** Stops the process gracefully, keeps port and data, starts it again and waits until ready. */
  async restart(): Promise<void> {
    this.#assertNotStopped();
    await this.#terminate();
    await this.#launch();
  }

  /**
   * Re-renders the configuration (with `changes` applied), sends SIGHUP and resolves once the
   * server logged `Reloaded server configuration`. Rejects with the server's own words if it
   * logged a reload failure instead (it then keeps running on the previous configuration), or
   * after reloadTimeoutMs. The server re-reads certificate, key, CA and pins files on reload: a
   * client connecting afterwards sees the new certificate, existing connections stay (except
   * those whose key is no longer pinned, which the server closes). Reloads run one at a time.
   */
  reload(changes: NatsReloadChanges = {}, reloadTimeoutMs = DEFAULT_RELOAD_TIMEOUT_MS): Promise<void> {
    const next = this.#reloads.then(() => this.#reload(changes, reloadTimeoutMs));
    this.#reloads = next.catch(() => undefined);
    return next;
  }

  /** Kills the process abruptly (SIGKILL), as a crash would; data and port are kept for restart(). */
  async kill(): Promise<void> {
    this.#assertNotStopped();
    if (this.running) this.#child!.kill('SIGKILL');
    await this.#exited;
  }

  /** SIGTERM, SIGKILL after stopTimeoutMs, then removes the data folder. Safe to call twice. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    try {
      await this.#terminate();
    } finally {
      this.#forgetOnExit();
      await rm(this.dataDir, { recursive: true, force: true });
    }
  }

  #assertNotStopped(): void {
    if (this.#stopped) throw new Error('this nats-server supervisor was stopped');
  }

  async #reload(changes: NatsReloadChanges, timeoutMs: number): Promise<void> {
    this.#assertNotStopped();
    const child = this.#child;
    if (child === undefined || !this.running) throw new Error('nats-server is not running: nothing to reload');
    const previous = this.#options;
    this.#options = { ...previous, ...changes };
    try {
      await this.#writeConfig();
      await signalReload({
        child,
        onOutput: (listener) => {
          this.#outputListeners.add(listener);
          return () => this.#outputListeners.delete(listener);
        },
        logTail: () => this.#log.slice(-4000),
        timeoutMs,
      });
    } catch (error) {
      this.#options = previous; // the server still runs the previous configuration
      throw error;
    }
  }

  async #writeConfig(): Promise<void> {
    if (this.#options.pinsFile !== undefined) await assertPinsFilePinsSomething(this.#options.pinsFile);
    const config = renderNatsConfig({
      host: this.host,
      port: this.#port,
      tls: this.#options.tls,
      // nats-server keeps its streams in <store_dir>/jetstream; restarts find them again.
      jetStreamDir: this.dataDir,
      ...(this.#options.permissions === undefined ? {} : { permissions: this.#options.permissions }),
      ...(this.#options.pinsFile === undefined ? {} : { pinsFile: this.#options.pinsFile, configDir: dirname(this.configPath) }),
      ...(this.#options.serverName === undefined ? {} : { serverName: this.#options.serverName }),
      ...(this.#options.cluster === undefined ? {} : { cluster: this.#options.cluster }),
      ...(this.#options.httpPort === undefined ? {} : { httpPort: this.#options.httpPort }),
    });
    await writeFile(this.configPath, config, { mode: 0o600 });
  }

  async #launch(): Promise<void> {
    await this.#writeConfig();
    const args = ['-c', this.configPath, ...(this.#options.trace === true ? ['-DV'] : [])];
    const child = spawn(this.#binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    let spawnError: Error | undefined;
    // 'exit' may not follow a spawn 'error' (e.g. the binary vanished), so either ends the wait.
    this.#exited = new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.once('error', (error) => {
        spawnError = error;
        resolve();
      });
    });
    const append = (chunk: Buffer): void => {
      const text = chunk.toString('utf8');
      this.#log = (this.#log + text).slice(-LOG_LIMIT_CHARS);
      for (const listener of this.#outputListeners) listener(text);
    };
    child.stdout!.on('data', append);
    child.stderr!.on('data', append);
    await this.#waitReady(child, () => spawnError);
  }

  async #waitReady(child: ChildProcess, spawnError: () => Error | undefined): Promise<void> {
    const deadline = Date.now() + (this.#options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS);
    let lastError: unknown;
    while (Date.now() < deadline) {
      const failed = spawnError();
      if (failed !== undefined) throw new Error(`cannot run ${this.#binary}: ${failed.message}`, { cause: failed });
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`nats-server exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${this.#log.slice(-4000)}`);
      }
      try {
        await this.#probe();
        return;
      } catch (error) {
        // The server is up and refuses this certificate: waiting longer cannot change that.
        if (error instanceof AuthorizationError) {
          await this.#terminate();
          throw new Error(`nats-server on ${this.url} refused the readiness probe's certificate: ${error.message} (does it map to a user in the permission table?)`, { cause: error });
        }
        lastError = error;
        await sleep(PROBE_INTERVAL_MS);
      }
    }
    await this.#terminate();
    throw new Error(`nats-server on ${this.url} did not accept a TLS client within the ready timeout (last error: ${String(lastError)}):\n${this.#log.slice(-4000)}`, { cause: lastError });
  }

  /** A real round trip with a valid certificate: TLS, user mapping and PING/PONG all work. */
  async #probe(): Promise<void> {
    const connection = await connect({
      servers: this.url,
      tls: { certFile: this.#options.probe.certFile, keyFile: this.#options.probe.keyFile, caFile: this.#options.tls.caFile },
      name: 'nats-supervisor-probe',
      timeout: PROBE_TIMEOUT_MS,
      reconnect: false,
    });
    try {
      await connection.flush();
    } finally {
      await connection.close();
    }
  }

  async #terminate(): Promise<void> {
    const child = this.#child;
    if (child === undefined || !this.running) {
      await this.#exited;
      return;
    }
    child.kill('SIGTERM');
    const cancel = new AbortController();
    const timer = sleep(this.#options.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS, 'timeout' as const, { signal: cancel.signal }).catch(() => 'cancelled' as const);
    const outcome = await Promise.race([this.#exited.then(() => 'exited' as const), timer]);
    cancel.abort(); // a pending timer would keep the test process alive
    if (outcome === 'timeout') {
      child.kill('SIGKILL');
      await this.#exited;
    }
  }
}

/** Starts a supervised nats-server; see NatsSupervisor. */
export function startNatsServer(options: NatsSupervisorOptions): Promise<NatsSupervisor> {
  return NatsSupervisor.start(options);
}
