import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const EDGE_MAIN = fileURLToPath(new URL('../../dist/apps/edge/main.js', import.meta.url));

/** The built edge (`node dist/apps/edge/main.js`) as a child process, configured by environment. */
export class EdgeProcess {
  private child: ChildProcess | undefined;
  output = '';

  constructor(readonly port: number, private readonly env: Record<string, string>) {}

  get url(): string {
    return `http://localhost:${this.port}`;
  }

  async start(): Promise<this> {
    this.child = spawn(process.execPath, [EDGE_MAIN], {
      env: { PATH: process.env.PATH ?? '', EDGE_PORT: String(this.port), ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`edge exited: ${this.output}`);
      try {
        if ((await fetch(`http://127.0.0.1:${this.port}/healthz`)).ok) return this;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`edge did not become ready: ${this.output}`);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child === undefined || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 3_000).unref();
    });
  }
}
