import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { loadEstateConfig, natsConnectionOptions } from '#estate';
import { issueCertificate } from '../../certs/pki.js';
import { PINNED_NATS_SERVER_VERSION } from '../../scripts/nats/nats-server-release.js';
import { startNatsServer } from '../../scripts/nats/supervisor.js';
import { startEstateFabric, type EstateFabric } from '../../test-support/estate-fabric.js';
import { PROCESS_HOOK_TIMEOUT_MS } from '../../test-support/hook-timeout.js';

// The supervisor that every e2e test and the demo rely on: real readiness, restarts on the same
// port (fault tests), clean stops, and clear failures.

let fabric: EstateFabric;

beforeAll(async () => {
  fabric = await startEstateFabric();
}, PROCESS_HOOK_TIMEOUT_MS);

afterAll(async () => {
  await fabric?.stop();
}, PROCESS_HOOK_TIMEOUT_MS);

async function echoRoundTrip(responder: NatsConnection, caller: NatsConnection, subject: string): Promise<string> {
  const served = responder.subscribe(subject, {
    queue: 'orders',
    max: 1,
    callback: (_, message) => {
      message.respond('pong');
    },
  });
  await responder.flush();
  const reply = await caller.request(subject, 'ping', { timeout: 2_000 });
  served.unsubscribe();
  return reply.string();
}

describe('NatsSupervisor', () => {
  it('reports a URL on its own free port, never the shared 4222, and is ready for mTLS clients', () => {
    expect(fabric.url).toMatch(/^tls:\/\/127\.0\.0\.1:\d+$/);
    expect(fabric.supervisor.port).not.toBe(4222);
    expect(fabric.supervisor.running).toBe(true);
    expect(fabric.supervisor.logs()).toMatch(/Server is ready/);
  });

  it('restart() keeps the port; estate clients reconnect and JetStream data survives a crash', async () => {
    const env = fabric.env({ NATS_RECONNECT_WAIT_MS: '100' });
    const orders = await connect(natsConnectionOptions(loadEstateConfig(env, 'orders')));
    const edge = await connect(natsConnectionOptions(loadEstateConfig(env, 'edge')));
    const admin = await connect(natsConnectionOptions(loadEstateConfig(env, 'admin')));
    try {
      await new Kvm(admin).create('orders', { history: 1 });
      await (await new Kvm(orders).open('orders')).put('replay.before-crash', 'kept');
      const { port } = fabric.supervisor;
      const pidBefore = fabric.supervisor.pid;

      await fabric.supervisor.kill();
      expect(fabric.supervisor.running).toBe(false);
      await fabric.supervisor.restart();
      expect(fabric.supervisor.port).toBe(port);
      expect(fabric.supervisor.pid).not.toBe(pidBefore);

      // The clients' reconnect loop needs a moment after the server is back.
      await expect(
        (async () => {
          for (let attempt = 0; ; attempt++) {
            try {
              return await echoRoundTrip(orders, edge, 'orders.ping');
            } catch (error) {
              if (attempt > 50) throw error;
              await new Promise((resolve) => setTimeout(resolve, 100));
            }
          }
        })(),
      ).resolves.toBe('pong');
      const entry = await (await new Kvm(orders).open('orders')).get('replay.before-crash');
      expect(entry?.string()).toBe('kept');

      await fabric.supervisor.restart(); // graceful this time: SIGTERM, same port, ready again
      expect(fabric.supervisor.port).toBe(port);
    } finally {
      await Promise.all([orders.close(), edge.close(), admin.close()]);
    }
  });

  it('stop() ends the process and removes its data folder, and may be called twice', async () => {
    const supervisor = await startNatsServer({ tls: fabric.files('nats'), probe: fabric.files('admin') });
    expect(existsSync(supervisor.configPath)).toBe(true);
    await supervisor.stop();
    await supervisor.stop();
    expect(supervisor.running).toBe(false);
    expect(existsSync(supervisor.dataDir)).toBe(false);
    await expect(supervisor.restart()).rejects.toThrow(/stopped/);
  });

  it('readiness is real: a probe whose certificate maps to no user never makes the server "ready"', async () => {
    const intruder = await fabric.writeCertificate(
      'probe-intruder',
      await issueCertificate(fabric.ca, { commonName: 'probe', spiffeId: 'spiffe://estate.local/intruder', usage: 'client' }),
    );
    const started = Date.now();
    await expect(startNatsServer({ tls: fabric.files('nats'), probe: intruder })).rejects.toThrow(
      /refused the readiness probe's certificate: Authorization Violation/,
    );
    expect(Date.now() - started).toBeLessThan(3_000); // a refusal is final: no waiting for the ready timeout
  });

  it('a server that cannot start is reported with its own words', async () => {
    const broken = { ...fabric.files('nats'), certFile: `${fabric.certsDir}/missing.crt` };
    await expect(startNatsServer({ tls: broken, probe: fabric.files('admin') })).rejects.toThrow(/nats-server exited \(1\) before it was ready:[\s\S]*missing\.crt/);
  });

  it('T5: runs the pinned release (ensureNatsServer) and says where it came from', () => {
    expect(fabric.supervisor.version).toBe(PINNED_NATS_SERVER_VERSION);
    expect(['NATS_SERVER_BIN', '.bin', '.bin (built now)', 'PATH', 'well-known folder']).toContain(fabric.supervisor.binarySource);
  });

  it('a binary that cannot be run is reported at once, not after the ready timeout', async () => {
    const started = Date.now();
    await expect(startNatsServer({ tls: fabric.files('nats'), probe: fabric.files('admin'), binary: fabric.files('nats').certFile })).rejects.toThrow(
      /cannot run .*nats\.crt: spawn .* EACCES/,
    );
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
