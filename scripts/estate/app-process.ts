import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { killOnExit } from '../nats/kill-on-exit.js';

/**
 * How the orchestrator knows an app is ready: an HTTP URL answering 2xx, a line it prints, or a
 * probe resolving true (a NATS service has no health route: its probe is a request it must
 * answer). A probe's false or rejection means "not yet".
 */
export type Readiness = { readonly url: string } | { readonly line: RegExp } | { readonly probe: () => Promise<boolean> };

/** Starts the process: node:child_process `spawn`, or a wrapper of it (the bench pins it to a core). */
export type SpawnProcess = (command: string, args: readonly string[], options: SpawnOptions) => ChildProcess;

export interface AppSpec {
  readonly name: string;
  /** The built entry point, e.g. dist/apps/edge/main.js. */
  readonly main: string;
  /** Node options placed before `main` (e.g. --cpu-prof). */
  readonly nodeOptions?: readonly string[];
  /** The app's whole environment, with PATH added: nothing else leaks in from this process. */
  readonly env: Readonly<Record<string, string>>;
  readonly ready: Readiness;
  /** Where its output goes (mode 0600); without one it is only kept in memory. */
  readonly logFile?: string;
  /** Default: node:child_process `spawn`. */
  readonly spawn?: SpawnProcess;
  /** How long `stop` waits for the exit before SIGKILL; default DEFAULT_STOP_GRACE_MS. */
  readonly stopGraceMs?: number;
  /**
   * SIGKILL it if this process exits without `stop()` (an uncaught error, process.exit). Off by
   * default: the demo hooks `killNow` itself.
   */
  readonly killOnExit?: boolean;
}

export interface AppExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export const DEFAULT_READY_TIMEOUT_MS = 20_000; // milliseconds
export const DEFAULT_STOP_GRACE_MS = 3_000; // milliseconds before SIGKILL
const POLL_INTERVAL_MS = 100; // milliseconds
const URL_PROBE_TIMEOUT_MS = 1_000; // milliseconds; a slow answer is "not yet"
const OUTPUT_KEPT_CHARS = 20_000;

/**
 * One built app of the estate as a child process, for the demo, the tests and the benchmarks:
 * its output goes to its log file and a bounded in-memory tail (never to the console, where
 * tokens could be copied from), and `start` resolves only when the app is ready, or rejects with
 * the tail of its output when it exits or times out first (stopping it then).
 */
export class AppProcess {
  private child: ChildProcess | undefined;
  private log: WriteStream | undefined;
  private kept = '';
  /** Unregisters the exit hook (spec.killOnExit); a no-op without one. */
  private forgetOnExit: () => void = () => undefined;

  constructor(readonly spec: AppSpec) {}

  get name(): string {
    return this.spec.name;
  }

  /** The last OUTPUT_KEPT_CHARS of what it printed, for a failure message. */
  get output(): string {
    return this.kept;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(timeoutMs = DEFAULT_READY_TIMEOUT_MS): Promise<this> {
    if (this.spec.logFile !== undefined) this.log = createWriteStream(this.spec.logFile, { flags: 'w', mode: 0o600 });
    const spawnProcess = this.spec.spawn ?? spawn;
    const child = spawnProcess(process.execPath, [...(this.spec.nodeOptions ?? []), this.spec.main], {
      env: { PATH: process.env['PATH'] ?? '', ...this.spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    if (this.spec.killOnExit === true) this.forgetOnExit = killOnExit(() => this.killNow());
    const keep = (chunk: Buffer): void => {
      this.log?.write(chunk);
      this.kept = (this.kept + chunk.toString()).slice(-OUTPUT_KEPT_CHARS);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running) {
        const message = `${this.name} exited with ${child.exitCode ?? child.signalCode}:\n${this.tail()}`;
        await this.stop();
        throw new Error(message);
      }
      if (await this.isReady()) return this;
      await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
    }
    await this.stop();
    throw new Error(`${this.name} was not ready after ${timeoutMs} ms:\n${this.tail()}`);
  }

  private async isReady(): Promise<boolean> {
    const ready = this.spec.ready;
    if ('line' in ready) return ready.line.test(this.kept);
    if ('probe' in ready) return ready.probe().catch(() => false);
    try {
      const response = await fetch(ready.url, { signal: AbortSignal.timeout(URL_PROBE_TIMEOUT_MS) });
      await response.body?.cancel();
      return response.ok;
    } catch {
      return false;
    }
  }

  /**
   * Resolves once the process has printed something `pattern` matches (its output so far counts),
   * rejects after `timeoutMs` or when it exits first. For a step that waits on what an app did.
   */
  async waitForOutput(pattern: RegExp, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.kept)) {
      if (!this.running) throw new Error(`${this.name} exited before printing ${pattern}:\n${this.tail()}`);
      if (Date.now() >= deadline) throw new Error(`${this.name} did not print ${pattern} within ${timeoutMs} ms:\n${this.tail()}`);
      await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
    }
  }

  tail(lines = 15): string {
    return this.kept.split('\n').slice(-lines).join('\n');
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /**
   * Sends `signal` (SIGTERM by default; the bench ends a profiled process with SIGUSR2), then
   * SIGKILL after the grace period. Resolves how it ended (a graceful stop: SIGTERM).
   */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<AppExit> {
    this.forgetOnExit();
    const child = this.child;
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      await new Promise<void>((resolve) => {
        const kill = setTimeout(() => child.kill('SIGKILL'), this.spec.stopGraceMs ?? DEFAULT_STOP_GRACE_MS);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill(signal);
      });
    }
    const log = this.log;
    this.log = undefined;
    await new Promise<void>((resolve) => (log ? log.end(() => resolve()) : resolve()));
    return { code: child?.exitCode ?? null, signal: child?.signalCode ?? null };
  }

  /** Synchronous last resort on process exit: nothing is left behind. */
  killNow(): void {
    if (this.running) this.child?.kill('SIGKILL');
  }
}
