import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADMIN_IDENTITY, ESTATE_IDENTITIES, spiffeIdOf } from '#estate';
import { createCertificateAuthority, issueCertificate, type Authority, type IssuedCertificate, type KeyAlgorithm } from '../../certs/pki.js';
import type { IdentityPermissions } from '../../scripts/nats/permission-table.js';
import { provisionAsAdmin } from '../../scripts/nats/provision-jetstream.js';
import { startNatsServer, type NatsSupervisor } from '../../scripts/nats/supervisor.js';

/**
 * A complete estate fabric for e2e tests: a fresh CA, the broker's certificate and one
 * certificate per identity written into a temporary folder (laid out like certs/out/), and a
 * supervised nats-server of our own on a free port. One per test file (beforeAll/afterAll).
 */
export interface CertificateFiles {
  readonly certFile: string;
  readonly keyFile: string;
  readonly caFile: string;
}

export interface EstateFabric {
  readonly url: string;
  /** Holds `ca.crt`, `nats.crt/key` and `<identity>.crt/key`: a CERTS_DIR for libs/estate. */
  readonly certsDir: string;
  readonly ca: Authority;
  readonly supervisor: NatsSupervisor;
  files(name: string): CertificateFiles;
  /** The environment `loadEstateConfig` reads to join this fabric (overrides win). */
  env(overrides?: Readonly<Record<string, string>>): Record<string, string>;
  /** Writes another certificate (e.g. a rogue or expired one) next to the others. */
  writeCertificate(name: string, issued: IssuedCertificate): Promise<CertificateFiles>;
  stop(): Promise<void>;
}

export interface EstateFabricOptions {
  readonly keyAlgorithm?: KeyAlgorithm;
  readonly permissions?: readonly IdentityPermissions[];
  /**
   * Provision JetStream as admin, as the operator does (the REVOCATIONS stream and the state
   * buckets the services need: scripts/nats/provision-jetstream.ts). Default: on with the estate's
   * permission table, off with another one (its admin may lack the rights).
   */
  readonly provision?: boolean;
}

/** Short, so a refused client fails a test in seconds rather than after the 20 s default. */
export const TEST_CONNECT_TIMEOUT_MS = 2_000; // milliseconds

export async function startEstateFabric(options: EstateFabricOptions = {}): Promise<EstateFabric> {
  const certsDir = await mkdtemp(join(tmpdir(), 'estate-certs-'));
  const files = (name: string): CertificateFiles => ({
    certFile: join(certsDir, `${name}.crt`),
    keyFile: join(certsDir, `${name}.key`),
    caFile: join(certsDir, 'ca.crt'),
  });
  const writeCertificate = async (name: string, issued: IssuedCertificate): Promise<CertificateFiles> => {
    const target = files(name);
    await writeFile(target.keyFile, issued.privateKeyPem, { mode: 0o600 });
    await writeFile(target.certFile, issued.certificatePem);
    return target;
  };
  let supervisor: NatsSupervisor | undefined;
  try {
    const keyAlgorithm = options.keyAlgorithm ?? 'ES256';
    const ca = await createCertificateAuthority({ commonName: 'estate test CA', validityDays: 1, keyAlgorithm });
    await writeFile(join(certsDir, 'ca.crt'), ca.certificatePem);
    await writeCertificate('nats', await issueCertificate(ca, { commonName: 'nats', usage: 'server', keyAlgorithm }));
    for (const identity of ESTATE_IDENTITIES) {
      await writeCertificate(identity, await issueCertificate(ca, { commonName: identity, spiffeId: spiffeIdOf(identity), usage: 'client', keyAlgorithm }));
    }
    const server = files('nats');
    supervisor = await startNatsServer({
      tls: server,
      probe: files(ADMIN_IDENTITY),
      ...(options.permissions === undefined ? {} : { permissions: options.permissions }),
    });
    const running = supervisor;
    if (options.provision ?? options.permissions === undefined) {
      await provisionAsAdmin({ NATS_URL: running.url, CERTS_DIR: certsDir, NATS_CONNECT_TIMEOUT_MS: String(TEST_CONNECT_TIMEOUT_MS) });
    }
    return {
      url: running.url,
      certsDir,
      ca,
      supervisor: running,
      files,
      env: (overrides = {}) => ({
        NATS_URL: running.url,
        CERTS_DIR: certsDir,
        NATS_CONNECT_TIMEOUT_MS: String(TEST_CONNECT_TIMEOUT_MS),
        ...overrides,
      }),
      writeCertificate,
      stop: async () => {
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

