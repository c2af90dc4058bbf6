import { isAbsolute, relative } from 'node:path';
import { integerRangeProblem } from '#binding/core';
import { spiffeIdOf } from '#estate';
import { JETSTREAM_ACCOUNT_INFO, kvProvisionerSubjects, kvUserSubjects, streamProvisionerSubjects, streamReaderSubjects } from './jetstream-subjects.js';
import { ESTATE_PERMISSIONS, type IdentityPermissions } from './permission-table.js';

/**
 * Renders the nats-server configuration from the permission table, for the pinned release
 * (nats-server-release.ts, 2.15.3; Debian's 2.9.10 is no longer a target, SECURITY.md T5):
 * - `tls { verify_and_map }`: a client certificate from the estate CA is required and its URI SAN
 *   is the user (T1, T2, T4). The server also tries e-mail and DNS SANs and the subject DN, but no
 *   user here is named like one, and the CA issues workload certificates with one URI SAN only.
 * - `min_version: "1.3"`: TLS 1.2 clients are refused (T5); TLS 1.3 has no renegotiation, no
 *   static-RSA or CBC suites, and encrypts the client certificate.
 * - optional `include` of a pins file (`pinned_certs`, pinsFile below): only the pinned keys are
 *   admitted, and on reload the server closes connections whose key is no longer pinned.
 * - no `accounts` block (users live in the global account, which has JetStream), never
 *   `no_auth_user`, no websocket, MQTT or leafnode listener (the pre-auth crash advisories were
 *   in those), no monitoring port (compose adds one on its private network).
 * Not used: `handshake_first` (TLS before the server's INFO). nats.js 3 does it only when the
 * client sets `tls.handshakeFirst`, which libs/estate does not, so requiring it would lock every
 * workload out; its "auto" fallback mode admits INFO-first clients anyway and so adds nothing.
 */
export interface NatsConfigOptions {
  readonly host: string;
  readonly port: number;
  readonly serverName?: string;
  readonly tls: { readonly certFile: string; readonly keyFile: string; readonly caFile: string };
  /** Seconds a client has to finish the TLS handshake. */
  readonly tlsTimeoutSeconds?: number;
  readonly jetStreamDir: string;
  readonly permissions?: readonly IdentityPermissions[];
  /**
   * A file holding `pinned_certs: [ "<hex SHA-256 of SPKI>", ... ]` (the certificate renewer
   * writes it), included inside the tls block. It must exist when the server starts or reloads,
   * and pin at least one key: an empty list means no pinning to nats-server. An absolute path
   * needs configDir: nats-server joins every include path to the config file's folder, absolute
   * ones too (conf/parse.go), so it is written relative to that folder.
   */
  readonly pinsFile?: string;
  /** The folder the rendered file will be written to; needed for an absolute pinsFile. */
  readonly configDir?: string;
  /** A node of a cluster (cluster-supervisor.ts): routes over mutual TLS (SECURITY.md T6). */
  readonly cluster?: NatsClusterConfig;
  /** The monitoring port (`/healthz` for probes); none when absent. Bind it to a private address. */
  readonly httpPort?: number;
}

/**
 * SECURITY.md T6: routes use mutual TLS with certificates from the estate CA (`verify: true` via
 * `verify_and_map`), and the peer's certificate must carry the route identity as a SAN: with
 * `verify_and_map`, nats-server admits a route only when a SAN (e-mail, DNS, then URI) or the
 * subject DN equals `authorization.user` (server/auth.go isRouterAuthorized). A certificate from
 * another CA fails the handshake; an estate workload certificate names another identity.
 */
export interface NatsClusterConfig {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  /** Every node's route URL, this one's included (nats-server ignores a route to itself). */
  readonly routes: readonly string[];
  readonly tls: { readonly certFile: string; readonly keyFile: string; readonly caFile: string };
  /** The route certificate's identity (ROUTE_SPIFFE_ID in certs/estate-leaves.ts). */
  readonly routeUser: string;
}

export const DEFAULT_SERVER_NAME = 'estate-nats';
export const DEFAULT_TLS_TIMEOUT_S = 2; // seconds
/** nats-server's spelling; TLS 1.3 only (SECURITY.md T5). */
export const TLS_MIN_VERSION = '1.3';
const JETSTREAM_MAX_MEMORY_BYTES = 64 * 1024 * 1024;
const JETSTREAM_MAX_FILE_BYTES = 1024 * 1024 * 1024;

/** Quoted string; refuses what could end the string or change its meaning, rather than escaping. */
function quote(value: string): string {
  if (/["\\\n\r\t]/.test(value) || value === '') throw new TypeError(`cannot place ${JSON.stringify(value)} in the nats-server configuration`);
  return `"${value}"`;
}

function list(values: readonly string[]): string {
  return `[${values.map(quote).join(', ')}]`;
}

function publishSubjects(entry: IdentityPermissions): string[] {
  const kv = entry.kvBuckets.flatMap(kvUserSubjects);
  const streams = (entry.readsStreams ?? []).flatMap(streamReaderSubjects);
  const provisioning = [...entry.provisionsKvBuckets.flatMap(kvProvisionerSubjects), ...(entry.provisionsStreams ?? []).flatMap(streamProvisionerSubjects)];
  return [...new Set([...entry.publish, ...kv, ...streams, ...provisioning, ...(provisioning.length > 0 ? [JETSTREAM_ACCOUNT_INFO] : [])])];
}

function userBlock(entry: IdentityPermissions): string[] {
  const publish = publishSubjects(entry);
  // An absent publish or subscribe section means "everything": an empty list must deny all.
  // With allow_responses the server already denies publishing anywhere but to reply subjects,
  // and an explicit deny would block the replies too.
  const publishLine =
    publish.length > 0
      ? `publish: { allow: ${list(publish)} }`
      : entry.allowResponses
        ? undefined
        : `publish: { deny: ${list(['>'])} }`;
  const subscribeLine =
    entry.subscribe.length > 0 ? `subscribe: { allow: ${list(entry.subscribe)} }` : `subscribe: { deny: ${list(['>'])} }`;
  return [
    '    {',
    `      user: ${quote(spiffeIdOf(entry.identity))}`,
    '      permissions: {',
    ...(publishLine === undefined ? [] : [`        ${publishLine}`]),
    `        ${subscribeLine}`,
    `        allow_responses: ${entry.allowResponses}`,
    '      }',
    '    }',
  ];
}

/** The include path nats-server resolves to pinsFile (see NatsConfigOptions.pinsFile). */
function includePath(pinsFile: string, configDir: string | undefined): string {
  if (!isAbsolute(pinsFile)) return pinsFile;
  if (configDir === undefined) throw new TypeError(`pinsFile ${pinsFile} is absolute: give configDir, since nats-server resolves includes against the config file's folder`);
  return relative(configDir, pinsFile);
}

function checkPort(port: number, name: string): void {
  const problem = integerRangeProblem(port, 1, 65535);
  if (problem !== undefined) throw new TypeError(`${name} ${problem}`);
}

function clusterBlock(cluster: NatsClusterConfig | undefined, tlsTimeoutSeconds: number): string[] {
  if (cluster === undefined) return [];
  checkPort(cluster.port, 'cluster port');
  return [
    '# Routes: mutual TLS from the estate CA, and only the route identity joins (SECURITY.md T6).',
    'cluster {',
    `  name: ${quote(cluster.name)}`,
    `  listen: ${quote(`${cluster.host}:${cluster.port}`)}`,
    `  routes: ${list(cluster.routes)}`,
    // Nodes learn each other from the routes given, not from what a peer advertises.
    '  no_advertise: true',
    '  tls {',
    `    cert_file: ${quote(cluster.tls.certFile)}`,
    `    key_file: ${quote(cluster.tls.keyFile)}`,
    `    ca_file: ${quote(cluster.tls.caFile)}`,
    '    verify_and_map: true',
    `    min_version: ${quote(TLS_MIN_VERSION)}`,
    `    timeout: ${tlsTimeoutSeconds}`,
    '  }',
    '  authorization {',
    `    user: ${quote(cluster.routeUser)}`,
    `    timeout: ${tlsTimeoutSeconds}`,
    '  }',
    '}',
    '',
  ];
}

export function renderNatsConfig(options: NatsConfigOptions): string {
  const permissions = options.permissions ?? ESTATE_PERMISSIONS;
  checkPort(options.port, 'port');
  return [
    '# Generated by scripts/nats/render-nats-config.ts from permission-table.ts. Do not edit.',
    `server_name: ${quote(options.serverName ?? DEFAULT_SERVER_NAME)}`,
    `listen: ${quote(`${options.host}:${options.port}`)}`,
    ...(options.httpPort === undefined ? [] : [`http: ${quote(`${options.host}:${options.httpPort}`)}`]),
    '',
    'jetstream {',
    `  store_dir: ${quote(options.jetStreamDir)}`,
    `  max_memory_store: ${JETSTREAM_MAX_MEMORY_BYTES}`,
    `  max_file_store: ${JETSTREAM_MAX_FILE_BYTES}`,
    '}',
    '',
    '# Mutual TLS: no certificate from the estate CA, no connection; the URI SAN is the user.',
    'tls {',
    `  cert_file: ${quote(options.tls.certFile)}`,
    `  key_file: ${quote(options.tls.keyFile)}`,
    `  ca_file: ${quote(options.tls.caFile)}`,
    '  verify_and_map: true',
    `  min_version: ${quote(TLS_MIN_VERSION)}`,
    `  timeout: ${options.tlsTimeoutSeconds ?? DEFAULT_TLS_TIMEOUT_S}`,
    ...(options.pinsFile === undefined ? [] : ['  # Only these client keys; rewritten by the certificate renewer, applied on reload.', `  include ${quote(includePath(options.pinsFile, options.configDir))}`]),
    '}',
    '',
    ...clusterBlock(options.cluster, options.tlsTimeoutSeconds ?? DEFAULT_TLS_TIMEOUT_S),
    'authorization {',
    '  users = [',
    ...permissions.flatMap(userBlock),
    '  ]',
    '}',
    '',
  ].join('\n');
}
