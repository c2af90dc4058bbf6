import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash, X509Certificate } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { spiffeIdOf } from '#estate';
import { createCertificateAuthority, issueCertificate } from '../../certs/pki.js';
import { startNatsServer, type NatsSupervisor } from '../../scripts/nats/supervisor.js';
import { startEstateFabric, TEST_CONNECT_TIMEOUT_MS, type CertificateFiles, type EstateFabric } from '../../test-support/estate-fabric.js';
import { PROCESS_HOOK_TIMEOUT_MS } from '../../test-support/hook-timeout.js';

// NatsSupervisor.reload(): SIGHUP, answered by the server's own log line, so a certificate, trust
// bundle or pin change reaches nats-server without a restart (SECURITY.md L1, L4, L5 at the
// broker; T5: the pinned release's reload). The server's pid is the proof there was no restart.

let fabric: EstateFabric;
let pinned: NatsSupervisor | undefined;
const opened: NatsConnection[] = [];

beforeAll(async () => {
  fabric = await startEstateFabric();
}, PROCESS_HOOK_TIMEOUT_MS);

afterAll(async () => {
  await Promise.allSettled(opened.map((connection) => connection.close()));
  await pinned?.stop();
  await fabric?.stop();
}, PROCESS_HOOK_TIMEOUT_MS);

/** Write + rename, as a renewer does: the server never reads half a file. */
async function replace(path: string, text: string): Promise<void> {
  await writeFile(`${path}.tmp`, text, { mode: 0o600 });
  await rename(`${path}.tmp`, path);
}

async function open(url: string, tls: CertificateFiles): Promise<NatsConnection> {
  const connection = await connect({ servers: url, tls, timeout: TEST_CONNECT_TIMEOUT_MS, reconnect: false });
  opened.push(connection);
  return connection;
}

/** A pins file as the renewer writes it: hex SHA-256 of each certificate's SPKI DER. */
async function writePins(path: string, names: readonly string[]): Promise<void> {
  const pins = await Promise.all(
    names.map(async (name) => {
      const spki = new X509Certificate(await readFile(fabric.files(name).certFile)).publicKey.export({ type: 'spki', format: 'der' });
      return `"${createHash('sha256').update(spki).digest('hex')}"`;
    }),
  );
  await replace(path, `pinned_certs: [${pins.join(', ')}]\n`);
}

/** Resolves once the server has closed the connection (reconnect is off), or fails after a bound. */
async function closedByServer(connection: NatsConnection): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('the server did not close the connection')), 5_000);
  });
  await Promise.race([connection.closed(), bound]).finally(() => clearTimeout(timer));
  expect(connection.isClosed()).toBe(true);
}

describe('reload(): certificate and trust bundle', () => {
  it('L1/L4: a new server certificate under a new CA, and the bundle trusting both, apply without a restart; the existing connection survives', async () => {
    const existing = await open(fabric.url, fabric.files('orders'));
    const events: string[] = [];
    void (async () => {
      for await (const status of existing.status()) events.push(status.type);
    })();
    const caB = await createCertificateAuthority({ commonName: 'estate test CA B', validityDays: 1 });
    const caBFile = join(fabric.certsDir, 'ca-b.crt');
    await writeFile(caBFile, caB.certificatePem);
    const trustsOnlyB = { ...fabric.files('orders'), caFile: caBFile };
    const leafB = await fabric.writeCertificate('orders-b', await issueCertificate(caB, { commonName: 'orders', spiffeId: spiffeIdOf('orders'), usage: 'client' }));

    // Before: the server's certificate is from CA A, and the server does not trust CA B yet.
    await expect(open(fabric.url, trustsOnlyB)).rejects.toThrow();
    await expect(open(fabric.url, leafB)).rejects.toThrow();

    const { caFile, certFile, keyFile } = fabric.files('nats');
    const serverB = await issueCertificate(caB, { commonName: 'nats', usage: 'server' });
    await replace(caFile, (await readFile(caFile, 'utf8')) + caB.certificatePem); // CA B enters the bundle first
    await replace(keyFile, serverB.privateKeyPem);
    await replace(certFile, serverB.certificatePem);
    const pid = fabric.supervisor.pid;
    await fabric.supervisor.reload();

    expect(fabric.supervisor.pid).toBe(pid);
    expect(fabric.supervisor.logs()).toMatch(/Reloaded server configuration/);
    // A client that trusts only CA B now verifies the server: it sees the new certificate.
    await (await open(fabric.url, trustsOnlyB)).flush();
    // The server now trusts CA B's leaves too (the bundle was re-read).
    await (await open(fabric.url, leafB)).flush();
    // The connection made before the reload is the same one, still working.
    await existing.flush();
    expect(existing.isClosed()).toBe(false);
    expect(events).not.toContain('disconnect');
    expect(events).not.toContain('reconnect');
  });

  it('a reload the server refuses rejects with its words; the server keeps the previous configuration', async () => {
    const broken = { ...fabric.files('nats'), certFile: join(fabric.certsDir, 'missing.crt') };
    const pid = fabric.supervisor.pid;
    await expect(fabric.supervisor.reload({ tls: broken })).rejects.toThrow(/refused the reload: Failed to reload server configuration: .*missing\.crt/);
    expect(fabric.supervisor.pid).toBe(pid);
    await (await open(fabric.url, fabric.files('edge'))).flush();
    await fabric.supervisor.reload(); // the supervisor went back to the previous options too
  });
});

describe('reload(): pinned client keys (pinsFile)', () => {
  it('T1/L5: a pins file appearing on reload closes the connections of unpinned keys; removing a pin closes that one too', async () => {
    pinned = await startNatsServer({ tls: fabric.files('nats'), probe: fabric.files('admin') });
    const edge = await open(pinned.url, fabric.files('edge'));
    const orders = await open(pinned.url, fabric.files('orders'));
    const pinsFile = join(fabric.certsDir, 'nats-pins.conf');

    await writePins(pinsFile, ['admin', 'orders']);
    await pinned.reload({ pinsFile });
    await closedByServer(edge);
    await orders.flush();
    await expect(open(pinned.url, fabric.files('edge'))).rejects.toThrow();
    await (await open(pinned.url, fabric.files('admin'))).flush();

    await writePins(pinsFile, ['admin']);
    await pinned.reload();
    await closedByServer(orders);
    await expect(open(pinned.url, fabric.files('orders'))).rejects.toThrow();
  });

  it('T1: a pins file that pins nothing is refused before the reload (nats-server would read it as no pinning)', async () => {
    const pinsFile = join(fabric.certsDir, 'nats-pins.conf');
    await replace(pinsFile, 'pinned_certs: []\n');
    await expect(pinned!.reload()).rejects.toThrow(/pins no key/);
    // Still the previous pins: admin only.
    await expect(open(pinned!.url, fabric.files('orders'))).rejects.toThrow();
    await (await open(pinned!.url, fabric.files('admin'))).flush();
  });
});
