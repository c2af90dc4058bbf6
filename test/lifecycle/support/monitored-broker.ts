import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect } from '@nats-io/transport-node';
import { ensureNatsServer } from '../../../scripts/nats/ensure-nats-server.js';
import { freePort } from '../../../test-support/free-port.js';
import type { EstateFabric } from '../../../test-support/estate-fabric.js';

/** One client connection as the broker's monitoring endpoint reports it (`/connz?auth=true`). */
export interface BrokerConnection {
  readonly cid: number;
  readonly authorized_user?: string;
  readonly tls_peer_certs?: readonly { readonly cert_sha256?: string; readonly subject?: string }[];
}

const READY_TIMEOUT_MS = 10_000; // milliseconds
const RELOAD_TIMEOUT_MS = 10_000; // milliseconds
const LOG_LIMIT_CHARS = 256 * 1024;
const RELOADED = /Reloaded server configuration/g;
const RELOAD_FAILED = /Failed to reload server configuration: [^\n]*/;

/**
 * A second nats-server with the fabric's own configuration (its certificates, users, permissions)
 * plus a monitoring port, so a test can ask the broker which certificate each client connected
 * with. The fabric's supervisor renders no monitoring port and nats-server cannot add one on
 * reload, so this one is started from a copy of the rendered configuration, on its own ports and
 * data folder. NATS_SERVER_BIN, else `nats-server` on PATH.
 */
export class MonitoredBroker {
  #log = '';

  private constructor(
    readonly url: string,
    private readonly monitorUrl: string,
    private readonly child: ChildProcess,
    private readonly dir: string,
  ) {
    child.stderr?.on('data', (chunk: Buffer) => (this.#log = (this.#log + chunk.toString('utf8')).slice(-LOG_LIMIT_CHARS)));
  }

  static async start(fabric: EstateFabric): Promise<MonitoredBroker> {
    const dir = await mkdtemp(join(tmpdir(), 'estate-monitored-nats-'));
    const [port, httpPort] = [await freePort(), await freePort()];
    const rendered = await readFile(fabric.supervisor.configPath, 'utf8');
    const config = rendered
      .replace(/^listen: .*$/m, `listen: "127.0.0.1:${port}"`)
      .replace(/^(\s*)store_dir: .*$/m, `$1store_dir: "${dir}"`)
      .concat(`\nhttp: "127.0.0.1:${httpPort}"\n`);
    const configPath = join(dir, 'nats.conf');
    await writeFile(configPath, config, { mode: 0o600 });
    // The pinned release, wherever the finder has it (.bin/ after a build): not whatever PATH holds.
    const child = spawn((await ensureNatsServer()).path, ['-c', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.once('error', (error) => {
      process.stderr.write(`monitored broker: cannot run nats-server: ${error.message}\n`);
    });
    const broker = new MonitoredBroker(`tls://127.0.0.1:${port}`, `http://127.0.0.1:${httpPort}`, child, dir);
    await broker.waitReady(fabric);
    return broker;
  }

  /**
   * SIGHUP: the broker re-reads its configuration and the files it names (certificate, key, CA
   * bundle), as an operator or a renewer makes it do after a rewrite. Resolves once it says so.
   */
  async reload(): Promise<void> {
    const before = this.#log.match(RELOADED)?.length ?? 0;
    const failedBefore = this.#log.length;
    this.child.kill('SIGHUP');
    const deadline = Date.now() + RELOAD_TIMEOUT_MS;
    while ((this.#log.match(RELOADED)?.length ?? 0) <= before) {
      const failed = RELOAD_FAILED.exec(this.#log.slice(failedBefore));
      if (failed !== null) throw new Error(`nats-server refused the reload: ${failed[0]}`);
      if (Date.now() > deadline) throw new Error(`nats-server did not reload within ${RELOAD_TIMEOUT_MS} ms`);
      await sleep(20);
    }
  }

  /** Every client connection now open, with the user it mapped to and the certificate it presented. */
  async connections(): Promise<BrokerConnection[]> {
    const answer = await fetch(`${this.monitorUrl}/connz?auth=true&limit=1024`);
    return ((await answer.json()) as { connections?: BrokerConnection[] }).connections ?? [];
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      const cancel = new AbortController(); // a pending timer would keep the test process alive
      this.child.kill('SIGTERM');
      await Promise.race([exited, sleep(5_000, undefined, { signal: cancel.signal }).catch(() => undefined)]);
      cancel.abort();
      if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    }
    await rm(this.dir, { recursive: true, force: true });
  }

  private async waitReady(fabric: EstateFabric): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    const admin = fabric.files('admin');
    for (;;) {
      try {
        const probe = await connect({ servers: this.url, tls: { certFile: admin.certFile, keyFile: admin.keyFile, caFile: admin.caFile }, timeout: 1_000, reconnect: false });
        await probe.close();
        return;
      } catch (error) {
        if (Date.now() > deadline || this.child.exitCode !== null) {
          await this.stop();
          throw new Error(`the monitored nats-server did not start: ${String(error)}`);
        }
        await sleep(100);
      }
    }
  }
}
