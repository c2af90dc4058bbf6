import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { SERVER_CORE, spawnPinned, type Pinning } from './cpu-pinning.js';

const READY_TIMEOUT_MS = 30_000; // milliseconds; Nest starts slowly on one loaded core
const STOP_TIMEOUT_MS = 10_000; // milliseconds; a profiled process writes its profile first
const OUTPUT_LIMIT_CHARS = 16 * 1024;

export interface ServerSpec {
  /** A Node script, with its arguments. */
  readonly script: string;
  readonly args?: readonly string[];
  /** Node options placed before the script (e.g. --cpu-prof). */
  readonly nodeOptions?: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly port: number;
  /** Answered 200 once the server is ready. */
  readonly healthPath: string;
}

/**
 * One server under test: a Node process pinned to the server core, its output kept (read, so a
 * full pipe never blocks it) for error messages, ready once its health route answers.
 */
export class ServerProcess {
  private output = '';

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {
    const keep = (chunk: Buffer): void => {
      this.output = (this.output + chunk.toString('utf8')).slice(-OUTPUT_LIMIT_CHARS);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  static async start(pinning: Pinning, spec: ServerSpec): Promise<ServerProcess> {
    const child = spawnPinned(pinning, SERVER_CORE, process.execPath, [...(spec.nodeOptions ?? []), spec.script, ...(spec.args ?? [])], {
      env: { PATH: process.env['PATH'] ?? '', ...spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const server = new ServerProcess(child, spec.port);
    try {
      await server.waitReady(spec.healthPath);
    } catch (error) {
      await server.stop();
      throw error;
    }
    return server;
  }

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  logs(): string {
    return this.output;
  }

  /** Sends `signal` (SIGTERM by default) and waits for the exit; SIGKILL after a bound. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }

  private async waitReady(healthPath: string): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`server exited before it was ready:\n${this.output}`);
      try {
        if ((await fetch(`${this.origin}${healthPath}`)).ok) return;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    throw new Error(`server did not become ready within ${READY_TIMEOUT_MS} ms:\n${this.output}`);
  }
}
