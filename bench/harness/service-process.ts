import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { SERVER_CORE, spawnPinned, type Pinning } from './cpu-pinning.js';

const READY_TIMEOUT_MS = 30_000; // milliseconds; Nest starts slowly on one loaded core
const READY_POLL_MS = 100; // milliseconds
const STOP_TIMEOUT_MS = 10_000; // milliseconds; a profiled process writes its profile first
const OUTPUT_LIMIT_CHARS = 16 * 1024;

export interface ServiceSpec {
  /** What the process is, for error messages. */
  readonly name: string;
  /** A Node script, with its arguments. */
  readonly script: string;
  readonly args?: readonly string[];
  /** Node options placed before the script (e.g. --cpu-prof). */
  readonly nodeOptions?: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /**
   * Resolves true once the service answers; false or a rejection means "not yet". A NATS service
   * has no health route: the probe is a request it must answer (e.g. `sts.jwks`).
   */
  ready(): Promise<boolean>;
}

/**
 * A NATS service under test (the STS, the hop receiver): a Node process pinned to the server core,
 * its output kept (read, so a full pipe never blocks it) for error messages only; it is never
 * logged otherwise. ServerProcess is the same for HTTP servers with a health route.
 */
export class ServiceProcess {
  private output = '';
  // If the bench dies without stop() (an uncaught error, process.exit), leave nothing running.
  private readonly killOnExit = (): void => {
    this.child.kill('SIGKILL');
  };

  private constructor(
    private readonly child: ChildProcess,
    readonly name: string,
  ) {
    const keep = (chunk: Buffer): void => {
      this.output = (this.output + chunk.toString('utf8')).slice(-OUTPUT_LIMIT_CHARS);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    process.once('exit', this.killOnExit);
  }

  static async start(pinning: Pinning, spec: ServiceSpec): Promise<ServiceProcess> {
    const child = spawnPinned(pinning, SERVER_CORE, process.execPath, [...(spec.nodeOptions ?? []), spec.script, ...(spec.args ?? [])], {
      env: { PATH: process.env['PATH'] ?? '', ...spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const service = new ServiceProcess(child, spec.name);
    try {
      await service.waitReady(spec.ready);
    } catch (error) {
      await service.stop();
      throw error;
    }
    return service;
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
    process.removeListener('exit', this.killOnExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }

  private async waitReady(ready: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`${this.name} exited before it was ready:\n${this.output}`);
      if (await ready().catch(() => false)) return;
      await sleep(READY_POLL_MS);
    }
    throw new Error(`${this.name} did not become ready within ${READY_TIMEOUT_MS} ms:\n${this.output}`);
  }
}
