import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';

/** How the orchestrator knows an app is ready: an HTTP URL answering 2xx, or a line it prints. */
export type Readiness = { readonly url: string } | { readonly line: RegExp };

export interface AppSpec {
  readonly name: string;
  /** The built entry point, e.g. dist/apps/edge/main.js. */
  readonly main: string;
  readonly env: Readonly<Record<string, string>>;
  readonly ready: Readiness;
  readonly logFile: string;
}

export const DEFAULT_READY_TIMEOUT_MS = 20_000; // milliseconds
const POLL_INTERVAL_MS = 100; // milliseconds
const STOP_GRACE_MS = 3_000; // milliseconds before SIGKILL

/**
 * One app of the estate as a child process: its output goes to its log file (never to the
 * console, where tokens could be copied from), and `start` resolves only when the app is ready,
 * or rejects with the tail of its log when it exits or times out first.
 */
export class AppProcess {
  private child: ChildProcess | undefined;
  private log: WriteStream | undefined;
  private output = '';

  constructor(readonly spec: AppSpec) {}

  async start(timeoutMs = DEFAULT_READY_TIMEOUT_MS): Promise<void> {
    this.log = createWriteStream(this.spec.logFile, { flags: 'w', mode: 0o600 });
    const child = spawn(process.execPath, [this.spec.main], {
      env: { PATH: process.env['PATH'] ?? '', NODE_ENV: 'development', ...this.spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const keep = (chunk: Buffer): void => {
      this.log?.write(chunk);
      this.output = (this.output + chunk.toString()).slice(-16_384);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`${this.spec.name} exited with ${child.exitCode}:\n${this.tail()}`);
      if (await this.isReady()) return;
      await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
    }
    throw new Error(`${this.spec.name} was not ready after ${timeoutMs} ms:\n${this.tail()}`);
  }

  private async isReady(): Promise<boolean> {
    const ready = this.spec.ready;
    if ('line' in ready) return ready.line.test(this.output);
    try {
      return (await fetch(ready.url, { signal: AbortSignal.timeout(1_000) })).ok;
    } catch {
      return false;
    }
  }

  tail(lines = 15): string {
    return this.output.split('\n').slice(-lines).join('\n');
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS).unref();
      });
    }
    await new Promise<void>((resolve) => (this.log ? this.log.end(() => resolve()) : resolve()));
  }

  /** Synchronous last resort on process exit: nothing is left behind. */
  killNow(): void {
    if (this.running) this.child?.kill('SIGKILL');
  }
}
