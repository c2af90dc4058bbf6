import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADMIN_IDENTITY, ESTATE_IDENTITIES, spiffeIdOf } from '#estate';
import { createCertificateAuthority, issueCertificate, type Authority, type IssuedCertificate, type KeyAlgorithm } from '../../certs/pki.js';
import type { IdentityPermissions } from './permission-table.js';
import { provisionAsAdmin } from './provision-jetstream.js';
import { startNatsServer, type NatsSupervisor } from './supervisor.js';

/**
 * A throwaway estate fabric for the e2e tests and the bench, built from the project's own pieces:
 * 1. a fresh CA (certs/pki.ts, valid one day) in a temporary folder laid out like certs/out/;
 * 2. the broker's certificate and one certificate per identity, each with its SPIFFE ID;
 * 3. the nats-server the scripts start (supervisor.ts: mTLS with `verify_and_map`, the estate's
 *    permission table unless told otherwise) on a free port;
 * 4. JetStream provisioned as admin, as the operator does (the REVOCATIONS stream and the state
 *    buckets every serving workload needs: provision-jetstream.ts).
 * `stop` stops the server and deletes the keys.
 */
export interface CertificateFiles {
  readonly certFile: string;
  readonly keyFile: string;
  readonly caFile: string;
}

export interface DevFabric {
  readonly url: string;
  /** Holds `ca.crt`, `nats.crt/key` and `<identity>.crt/key`: a CERTS_DIR for libs/estate. */
  readonly certsDir: string;
  readonly ca: Authority;
  readonly supervisor: NatsSupervisor;
  files(name: string): CertificateFiles;
  /** The environment `loadEstateConfig` (and the apps' main.js) read to join this fabric (overrides win). */
  env(overrides?: Readonly<Record<string, string>>): Record<string, string>;
  /** Writes another certificate (e.g. a rogue or expired one) next to the others. */
  writeCertificate(name: string, issued: IssuedCertificate): Promise<CertificateFiles>;
  /** Stops the server and deletes the keys. Safe to call twice. */
  stop(): Promise<void>;
}

export interface DevFabricOptions {
  /** Who it is for ('test', 'bench'): names the temporary folder and the CA. */
  readonly purpose: string;
  /** NATS_CONNECT_TIMEOUT_MS in `env()`: short, so a refused client fails in seconds. */
  readonly connectTimeoutMs: number;
  /** Default: ES256, the estate's default. */
  readonly keyAlgorithm?: KeyAlgorithm;
  /** Default: the estate's permission table. */
  readonly permissions?: readonly IdentityPermissions[];
  /** Provision JetStream as admin. Default: on with the estate's table, off with another (its admin may lack the rights). */
  readonly provision?: boolean;
}

const CA_VALIDITY_DAYS = 1; // days; a fabric lives for one test file or one bench run

export async function startDevFabric(options: DevFabricOptions): Promise<DevFabric> {
  const certsDir = await mkdtemp(join(tmpdir(), `estate-${options.purpose}-certs-`));
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
  const env = (url: string) => (overrides: Readonly<Record<string, string>> = {}): Record<string, string> => ({
    NATS_URL: url,
    CERTS_DIR: certsDir,
    NATS_CONNECT_TIMEOUT_MS: String(options.connectTimeoutMs),
    ...overrides,
  });
  let supervisor: NatsSupervisor | undefined;
  try {
    const keyAlgorithm = options.keyAlgorithm ?? 'ES256';
    const ca = await createCertificateAuthority({ commonName: `estate ${options.purpose} CA`, validityDays: CA_VALIDITY_DAYS, keyAlgorithm });
    await writeFile(join(certsDir, 'ca.crt'), ca.certificatePem);
    await writeCertificate('nats', await issueCertificate(ca, { commonName: 'nats', usage: 'server', keyAlgorithm }));
    for (const identity of ESTATE_IDENTITIES) {
      await writeCertificate(identity, await issueCertificate(ca, { commonName: identity, spiffeId: spiffeIdOf(identity), usage: 'client', keyAlgorithm }));
    }
    supervisor = await startNatsServer({
      tls: files('nats'),
      probe: files(ADMIN_IDENTITY),
      ...(options.permissions === undefined ? {} : { permissions: options.permissions }),
    });
    const running = supervisor;
    if (options.provision ?? options.permissions === undefined) await provisionAsAdmin(env(running.url)());
    let stopped = false;
    return {
      url: running.url,
      certsDir,
      ca,
      supervisor: running,
      files,
      env: env(running.url),
      writeCertificate,
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
