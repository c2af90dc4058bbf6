import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';

/** How the orchestrator knows an app is ready: an HTTP URL answering 2xx, or a line it prints. */
export type Readiness = { readonly url: string } | { readonly line: RegExp };

export interface AppSpec {
  readonly name: string;
  /** The built entry point, e.g. dist/apps/edge/main.js. */
  readonly main: string;
  /** The app's whole environment, with PATH added: nothing else leaks in from this process. */
  readonly env: Readonly<Record<string, string>>;
  readonly ready: Readiness;
  /** Where its output goes (mode 0600); without one it is only kept in memory. */
  readonly logFile?: string;
}

export interface AppExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export const DEFAULT_READY_TIMEOUT_MS = 20_000; // milliseconds
const POLL_INTERVAL_MS = 100; // milliseconds
const STOP_GRACE_MS = 3_000; // milliseconds before SIGKILL
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
    const child = spawn(process.execPath, [this.spec.main], {
      env: { PATH: process.env['PATH'] ?? '', ...this.spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const keep = (chunk: Buffer): void => {
      this.log?.write(chunk);
      this.kept = (this.kept + chunk.toString()).slice(-OUTPUT_KEPT_CHARS);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`${this.name} exited with ${child.exitCode}:\n${this.tail()}`);
      if (await this.isReady()) return this;
      await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
    }
    await this.stop();
    throw new Error(`${this.name} was not ready after ${timeoutMs} ms:\n${this.tail()}`);
  }

  private async isReady(): Promise<boolean> {
    const ready = this.spec.ready;
    if ('line' in ready) return ready.line.test(this.kept);
    try {
      const response = await fetch(ready.url, { signal: AbortSignal.timeout(1_000) });
      await response.body?.cancel();
      return response.ok;
    } catch {
      return false;
    }
  }

  tail(lines = 15): string {
    return this.kept.split('\n').slice(-lines).join('\n');
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGTERM, then SIGKILL after a grace period. Resolves how it ended (a graceful stop: SIGTERM). */
  async stop(): Promise<AppExit> {
    const child = this.child;
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      await new Promise<void>((resolve) => {
        const kill = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill('SIGTERM');
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
