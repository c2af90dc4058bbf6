import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { RevocationFeed } from '#binding';
import { ADMIN_IDENTITY, ESTATE_IDENTITIES, inboxPrefixOf, spiffeIdOf } from '#estate';
import { CertificateRenewer } from '../../certs/certificate-renewer.js';
import { clusterRouteLeaves, ESTATE_LEAVES, ROUTE_SPIFFE_ID, routeLeafName } from '../../certs/estate-leaves.js';
import type { CertificateRenewerOptions, RenewerLog } from '../../certs/renewer-settings.js';
import { createCertificateAuthority, issueCertificate, loadCertificateAuthority, type Authority, type IssuedCertificate, type KeyAlgorithm } from '../../certs/pki.js';
import { followBrokerRevocations } from './broker-revocations.js';
import type { IdentityPermissions } from './permission-table.js';
import { provisionAsAdmin } from './provision-jetstream.js';
import { startNatsCluster, type NatsCluster } from './cluster-supervisor.js';
import { provisionCluster } from './cluster-provision.js';
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
 * With `rotation`, a CertificateRenewer (certs/certificate-renewer.ts) issues steps 1-2 into the
 * folder and keeps renewing them; the broker admits only the client keys the renewer pins
 * (`nats-pins.conf`) and reloads on every change the renewer reports (SECURITY.md L1, L4, L5);
 * once JetStream is provisioned, the operator hears `estate.revocations` and every revoked
 * certificate loses its pin (broker-revocations.ts), so the broker closes it too. The demo passes
 * `certsDir` (certs/out/): then that folder is used and kept, not a temporary one.
 * With `cluster`, step 3 is three nats-server nodes (cluster-supervisor.ts) joined by mutual-TLS
 * routes, each with its own route certificate (`nats-route-<n>`, issued and renewed like the
 * others; T6), every node reloading on a change; JetStream is provisioned at R3 (S1) once the
 * cluster has elected its JetStream leader, and `url` lists every node.
 */
export interface CertificateFiles {
  readonly certFile: string;
  readonly keyFile: string;
  readonly caFile: string;
}

export interface DevFabric {
  /** NATS_URL: the broker's URL, or every node's, comma-separated, on a cluster. */
  readonly url: string;
  /** Every node's URL (one without `cluster`). */
  readonly urls: readonly string[];
  /** With `cluster` only: the nodes; `supervisor` is then node 1. */
  readonly cluster?: NatsCluster;
  /** Holds `ca.crt`, `nats.crt/key` and `<identity>.crt/key`: a CERTS_DIR for libs/estate. */
  readonly certsDir: string;
  /** The CA at start. With rotation it is the renewer's first CA: after a rollover, no longer the issuer. */
  readonly ca: Authority;
  readonly supervisor: NatsSupervisor;
  /** With `rotation` only: the renewer that keeps the folder's certificates fresh. */
  readonly renewer?: CertificateRenewer;
  files(name: string): CertificateFiles;
  /** The environment `loadEstateConfig` (and the apps' main.js) read to join this fabric (overrides win). */
  env(overrides?: Readonly<Record<string, string>>): Record<string, string>;
  /** Writes another certificate (e.g. a rogue or expired one) next to the others. */
  writeCertificate(name: string, issued: IssuedCertificate): Promise<CertificateFiles>;
  /** Stops the server and deletes the keys (not a given `certsDir`). Safe to call twice. */
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
  /**
   * Short-lived certificates renewed live, with broker pins. A certificate written with
   * writeCertificate() is then refused by the broker (its key is not pinned) unless the test
   * means exactly that.
   */
  readonly rotation?: DevFabricRotation;
  /** With `rotation` only: this folder (created if missing, kept on stop) instead of a temporary one. */
  readonly certsDir?: string;
  /** Three (or `nodes`) nats-server nodes instead of one; JetStream at R3. Default: one server. */
  readonly cluster?: boolean | { readonly nodes?: number; readonly monitoring?: boolean };
}

/** The renewer's settings a fabric passes on (certs/renewer-settings.ts); the folder, key algorithm and callback are the fabric's. */
export interface DevFabricRotation extends Pick<CertificateRenewerOptions, 'caTtlSeconds' | 'caRolloverFraction' | 'autoCaRollover' | 'bundlePropagationSeconds' | 'retryInitialMs' | 'retryMaxMs'> {
  readonly leafTtlSeconds: number;
  /** Default: warnings to stderr, the rest dropped. */
  readonly log?: RenewerLog;
}

const CA_VALIDITY_DAYS = 1; // days; a fabric lives for one test file or one bench run
const CA_VALIDITY_S = CA_VALIDITY_DAYS * 86_400; // seconds

const QUIET_LOG: RenewerLog = (level, message) => {
  if (level === 'warn') console.error(`fabric renewer: ${message}`);
};

/**
 * Reloads run one at a time and a burst coalesces: a request made while one runs is served by
 * one more reload after it (which reads every file as it is then), shared by every request made
 * meanwhile. Each request resolves once a reload that started after it has finished.
 */
function coalescedReloads(reload: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  let queued: Promise<void> | undefined;
  const start = (): Promise<void> => {
    const current = reload().finally(() => {
      if (running === current) running = undefined;
    });
    running = current;
    return current;
  };
  return () => {
    if (running === undefined) return start();
    queued ??= running.catch(() => undefined).then(() => {
      queued = undefined;
      return start();
    });
    return queued;
  };
}

/** Starts the renewer on the folder and waits until every leaf is there (a fabric cannot start without them). */
async function startRenewer(certsDir: string, rotation: DevFabricRotation, keyAlgorithm: KeyAlgorithm, nodes: number, reload: () => Promise<void>): Promise<{ renewer: CertificateRenewer; ca: Authority }> {
  const { leafTtlSeconds, log, ...rest } = rotation;
  const leaves = nodes === 0 ? ESTATE_LEAVES : [...ESTATE_LEAVES, ...clusterRouteLeaves(nodes)];
  const renewer = new CertificateRenewer({ ...rest, dir: certsDir, leafTtlSeconds, keyAlgorithm, leaves, log: log ?? QUIET_LOG, onChange: reload });
  await renewer.start();
  const missing = Object.values(renewer.status().leaves).filter((leaf) => leaf.notAfter === undefined);
  if (missing.length > 0) {
    await renewer.stop();
    throw new Error(`the fabric's renewer could not issue ${missing.map((leaf) => `${leaf.name} (${leaf.lastError ?? 'no reason'})`).join(', ')}`);
  }
  const ca = await loadCertificateAuthority(await readFile(join(certsDir, 'ca.crt'), 'utf8'), await readFile(join(certsDir, 'ca.key'), 'utf8'));
  return { renewer, ca };
}

const OPERATOR_RECONNECT_WAIT_MS = 250; // milliseconds

/**
 * The operator's connection that hears revocations for the broker's pins. It names the files, not
 * their content: nats.js reads them again on every reconnect, so when the broker closes it at the
 * admin certificate's expiry it comes back with the renewed one (renewed at half-life), and the
 * feed replays what it missed meanwhile. Nothing is in flight on it to lose.
 */
async function connectOperator(urls: readonly string[], files: CertificateFiles): Promise<NatsConnection> {
  return connect({
    servers: [...urls],
    name: 'broker-revocations',
    inboxPrefix: inboxPrefixOf(ADMIN_IDENTITY),
    tls: { certFile: files.certFile, keyFile: files.keyFile, caFile: files.caFile },
    reconnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: OPERATOR_RECONNECT_WAIT_MS,
    // Its own certificate expiring is an authorization error at the next handshake until the
    // renewed files are read: keep trying rather than give up after two.
    ignoreAuthErrorAbort: true,
  });
}

export async function startDevFabric(options: DevFabricOptions): Promise<DevFabric> {
  if (options.certsDir !== undefined && options.rotation === undefined) throw new TypeError('a given certsDir needs rotation: only the renewer keeps a lasting folder fresh');
  const keepCerts = options.certsDir !== undefined;
  const certsDir = options.certsDir ?? (await mkdtemp(join(tmpdir(), `estate-${options.purpose}-certs-`)));
  if (keepCerts) await mkdir(certsDir, { recursive: true, mode: 0o700 });
  const removeCerts = (): Promise<void> => (keepCerts ? Promise.resolve() : rm(certsDir, { recursive: true, force: true }));
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
  const clusterNodes = options.cluster === undefined || options.cluster === false ? 0 : (options.cluster === true ? undefined : options.cluster.nodes) ?? 3;
  const monitoring = typeof options.cluster === 'object' && options.cluster.monitoring === true;
  const env = (url: string) => (overrides: Readonly<Record<string, string>> = {}): Record<string, string> => ({
    NATS_URL: url,
    CERTS_DIR: certsDir,
    NATS_CONNECT_TIMEOUT_MS: String(options.connectTimeoutMs),
    ...overrides,
  });
  let supervisor: NatsSupervisor | undefined;
  let cluster: NatsCluster | undefined;
  let renewer: CertificateRenewer | undefined;
  let operator: NatsConnection | undefined;
  let revocations: RevocationFeed | undefined;
  let missedReload = false;
  try {
    const keyAlgorithm = options.keyAlgorithm ?? 'ES256';
    let ca: Authority;
    if (options.rotation === undefined) {
      ca = await createCertificateAuthority({ commonName: `estate ${options.purpose} CA`, validitySeconds: CA_VALIDITY_S, keyAlgorithm });
      await writeFile(join(certsDir, 'ca.crt'), ca.certificatePem);
      // As long as the CA: nothing renews these leaves.
      const notAfter = ca.notAfter;
      await writeCertificate('nats', await issueCertificate(ca, { commonName: 'nats', usage: 'server', keyAlgorithm, notAfter }));
      for (const identity of ESTATE_IDENTITIES) {
        await writeCertificate(identity, await issueCertificate(ca, { commonName: identity, spiffeId: spiffeIdOf(identity), usage: 'client', keyAlgorithm, notAfter }));
      }
      for (const leaf of clusterRouteLeaves(clusterNodes)) {
        await writeCertificate(leaf.name, await issueCertificate(ca, { commonName: leaf.name, spiffeId: ROUTE_SPIFFE_ID, usage: 'route', keyAlgorithm, notAfter, ...(leaf.dnsNames === undefined ? {} : { dnsNames: leaf.dnsNames }) }));
      }
    } else {
      // Every change the renewer reports (leaf, bundle, pins) is a reload. A change while the
      // broker starts may come after it read its files: it is remembered and reloaded once it runs.
      const reload = coalescedReloads(() => cluster?.reload() ?? supervisor?.reload() ?? Promise.resolve());
      ({ renewer, ca } = await startRenewer(certsDir, options.rotation, keyAlgorithm, clusterNodes, async () => {
        if (supervisor === undefined) missedReload = true;
        else await reload();
      }));
    }
    const broker = {
      tls: files('nats'),
      probe: files(ADMIN_IDENTITY),
      ...(options.permissions === undefined ? {} : { permissions: options.permissions }),
      // The option supervisor.ts/render-nats-config.ts take for `tls { include <pins> }`.
      ...(renewer === undefined ? {} : { pinsFile: renewer.pinsFile }),
    };
    const launching = clusterNodes === 0
      ? startNatsServer(broker)
      : startNatsCluster({ ...broker, nodes: clusterNodes, monitoring, routeUser: ROUTE_SPIFFE_ID, routeTls: (index) => files(routeLeafName(index)) });
    missedReload = false; // what changed before this point is in the files the broker reads at launch
    const launched = await launching;
    if ('nodes' in launched) {
      cluster = launched;
      supervisor = launched.node(1);
    } else {
      supervisor = launched;
    }
    if (missedReload) await (cluster ?? supervisor).reload();
    const running = supervisor;
    const urls = cluster?.urls ?? [running.url];
    const url = urls.join(',');
    const provision = options.provision ?? options.permissions === undefined;
    // A cluster serves JetStream once its nodes have routed and elected a leader: retried until then.
    if (provision) await (cluster === undefined ? provisionAsAdmin(env(url)()) : provisionCluster(env(url)()));
    if (renewer !== undefined && provision) {
      operator = await connectOperator(urls, files(ADMIN_IDENTITY));
      const pins = renewer;
      revocations = await followBrokerRevocations({
        connection: operator,
        renewer: pins,
        onRevoked: (outcome) => {
          if ('error' in outcome) console.error(`fabric: could not unpin revoked certificate ${outcome.thumbprint}: ${String(outcome.error)}`);
        },
      });
    }
    let stopped = false;
    return {
      url,
      urls,
      ...(cluster === undefined ? {} : { cluster }),
      certsDir,
      ca,
      supervisor: running,
      ...(renewer === undefined ? {} : { renewer }),
      files,
      env: env(url),
      writeCertificate,
      stop: async () => {
        if (stopped) return;
        stopped = true;
        try {
          await revocations?.close();
          await operator?.close();
          await renewer?.stop(); // before the server, so no reload is asked of a stopping server
          await (cluster ?? running).stop();
        } finally {
          await removeCerts();
        }
      },
    };
  } catch (error) {
    await revocations?.close();
    await operator?.close();
    await renewer?.stop();
    await (cluster ?? supervisor)?.stop();
    await removeCerts();
    throw error;
  }
}
