import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { ADMIN_IDENTITY, ESTATE_IDENTITIES, loadEstateConfig, natsConnectionOptions, spiffeIdOf } from '#estate';
import { createCertificateAuthority, issueCertificate } from '../../certs/pki.js';
import { provisionEstateJetStream } from '../../scripts/nats/provision-jetstream.js';
import { startNatsServer, type NatsSupervisor } from '../../scripts/nats/supervisor.js';

/**
 * The estate's NATS fabric for one bench scenario, built from the project's own pieces: a fresh CA
 * and one certificate per identity from certs/pki.ts in a temporary CERTS_DIR (laid out like
 * certs/out/), the nats-server the scripts start (scripts/nats/supervisor.ts: mTLS with
 * `verify_and_map`, the estate's permission table unchanged) and JetStream provisioned as admin,
 * as the operator does (the revocation stream every serving workload reads before it serves).
 * The bench's own copy of what test/support/estate-fabric.ts does, so bench needs no test support.
 */
export interface BenchFabric {
  readonly url: string;
  /** A CERTS_DIR for libs/estate: `ca.crt`, `nats.crt/key`, `<identity>.crt/key`. */
  readonly certsDir: string;
  readonly supervisor: NatsSupervisor;
  /** The environment `loadEstateConfig` (and the apps' main.js) read to join this fabric. */
  env(overrides?: Readonly<Record<string, string>>): Record<string, string>;
  /** Stops the server and deletes the keys. Safe to call twice. */
  stop(): Promise<void>;
}

/** A refused or unreachable broker fails the bench in seconds, not after the 5 s default per try. */
const CONNECT_TIMEOUT_MS = 2_000; // milliseconds

export async function startBenchFabric(): Promise<BenchFabric> {
  const certsDir = await mkdtemp(join(tmpdir(), 'bench-certs-'));
  const path = (name: string): string => join(certsDir, name);
  let supervisor: NatsSupervisor | undefined;
  try {
    // One day is enough for a bench run; ES256 as the estate's default.
    const ca = await createCertificateAuthority({ commonName: 'estate bench CA', validityDays: 1, keyAlgorithm: 'ES256' });
    await writeFile(path('ca.crt'), ca.certificatePem);
    const write = async (name: string, issued: { certificatePem: string; privateKeyPem: string }): Promise<void> => {
      await writeFile(path(`${name}.key`), issued.privateKeyPem, { mode: 0o600 });
      await writeFile(path(`${name}.crt`), issued.certificatePem);
    };
    await write('nats', await issueCertificate(ca, { commonName: 'nats', usage: 'server', keyAlgorithm: 'ES256' }));
    for (const identity of ESTATE_IDENTITIES) {
      await write(identity, await issueCertificate(ca, { commonName: identity, spiffeId: spiffeIdOf(identity), usage: 'client', keyAlgorithm: 'ES256' }));
    }
    supervisor = await startNatsServer({
      tls: { certFile: path('nats.crt'), keyFile: path('nats.key'), caFile: path('ca.crt') },
      probe: { certFile: path(`${ADMIN_IDENTITY}.crt`), keyFile: path(`${ADMIN_IDENTITY}.key`) },
    });
    const running = supervisor;
    const env = (overrides: Readonly<Record<string, string>> = {}): Record<string, string> => ({
      NATS_URL: running.url,
      CERTS_DIR: certsDir,
      NATS_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
      ...overrides,
    });
    const admin = await connect({ ...natsConnectionOptions(loadEstateConfig(env(), ADMIN_IDENTITY)), reconnect: false });
    try {
      await provisionEstateJetStream(admin);
    } finally {
      await admin.close();
    }
    let stopped = false;
    return {
      url: running.url,
      certsDir,
      supervisor: running,
      env,
      stop: async () => {
        if (stopped) return;
        stopped = true;
        try {
          await running.stop();
        } finally {
          await rm(certsDir, { recursive: true, force: true });
        }
      },
    };
  } catch (error) {
    await supervisor?.stop();
    await rm(certsDir, { recursive: true, force: true });
    throw error;
  }
}
