/**
 * One built app (`node dist/apps/<app>/main.js`) as a child process, configured only by the
 * environment it is given, ready when a URL answers 2xx. Output is kept for failure messages.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

export const STARTUP_TIMEOUT_MS = 20_000;
const STOP_GRACE_MS = 3_000;
const POLL_MS = 100;
const OUTPUT_KEPT_CHARS = 20_000;

export function builtApp(app: string): string {
  return resolve(`dist/apps/${app}/main.js`);
}

/**
 * When the app counts as ready: a URL that answers 2xx, or, for an app with no HTTP port (the
 * NATS services), still running after a while.
 */
export type Readiness = { readonly url: string } | { readonly aliveForMs: number };

export class ServiceProcess {
  #child: ChildProcess | undefined;
  #output = '';

  constructor(
    readonly name: string,
    private readonly script: string,
    private readonly env: Readonly<Record<string, string>>,
    private readonly readiness: Readiness,
  ) {}

  get output(): string {
    return this.#output;
  }

  async start(): Promise<this> {
    const child = spawn(process.execPath, [this.script], {
      env: { PATH: process.env['PATH'] ?? '', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#child = child;
    const keep = (chunk: Buffer): void => {
      this.#output = (this.#output + chunk.toString()).slice(-OUTPUT_KEPT_CHARS);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const readiness = this.readiness;
    const deadline = Date.now() + ('url' in readiness ? STARTUP_TIMEOUT_MS : readiness.aliveForMs);
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`${this.name} exited with ${child.exitCode}:\n${this.#output}`);
      if ('url' in readiness && (await fetch(readiness.url).then((response) => response.ok, () => false))) return this;
      await new Promise((done) => setTimeout(done, POLL_MS));
    }
    if (!('url' in readiness) && child.exitCode === null) return this;
    await this.stop();
    const what = 'url' in readiness ? `answer ${readiness.url}` : 'keep running';
    throw new Error(`${this.name} did not ${what} within the start-up time:\n${this.#output}`);
  }

  async stop(): Promise<void> {
    const child = this.#child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((done) => {
      child.once('exit', () => done());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS).unref();
    });
  }
}
