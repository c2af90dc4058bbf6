/**
 * docker-compose.yml against the local estate. No Docker engine runs here (nothing is built or
 * started in a container); instead the file is checked against what the apps really read and do:
 *
 * - it is valid against the Compose Specification's JSON schema (vendored in support/, checked with
 *   ajv: no docker-compose binary needed), with every service, volume and network it names declared
 *   and every `${...}` a well-formed interpolation, as `docker-compose config -q` would require,
 * - it runs the same processes as the local estate: the broker, the certs job, the JetStream
 *   provisioning job, auth, the SPA's server, and one service per workload identity of libs/estate,
 * - every variable it sets is one its app reads, and the required ones are set,
 * - the URLs that must agree across services do (issuer, audience, SPA origin and callback),
 * - the certs job, run here as it is (deploy/prepare-estate.mjs), hands each container exactly
 *   its own SPIFFE identity, renders nats.conf with the shared generator, and a real nats-server
 *   started from that file admits each workload with the files it was handed, and the `jetstream`
 *   job, run as compose runs it with the operator's files, provisions it,
 * - the `cluster` profile (issue 11) adds three routed nodes and two replicas per workload beside
 *   the default estate, which it leaves as it is: every cluster client lists all three nodes, each
 *   node has its own identity folder (route certificate), JetStream volume and reloader, its
 *   nats.conf is the cluster renderer's output (the one the cluster supervisor uses) and passes
 *   the real nats-server's `-t` with the files the node is handed, and replicas share their
 *   identity and replay buckets.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect } from '@nats-io/transport-node';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { loadEstateConfig, spiffeIdOf, WORKLOADS, type Workload } from '#estate';
import { clusterNodeHost, ROUTE_SPIFFE_ID } from '../../certs/estate-leaves.js';
import { clusterNodeRoutes, DEFAULT_MONITORING_PORT, DEFAULT_ROUTE_PORT, renderClusterNodeConfig } from '../../scripts/nats/cluster-config.js';
import { findNatsServer } from '../../scripts/nats/find-nats-server.js';
import { renderNatsConfig } from '../../scripts/nats/render-nats-config.js';
import { freePort } from '../../test-support/free-port.js';
import { PROCESS_HOOK_TIMEOUT_MS } from '../../test-support/hook-timeout.js';
import { composeInterpolationErrors, composeReferenceErrors, composeSchemaErrors } from './support/compose-schema.js';
import { variablesReadIn } from './support/variables-read.js';

const run = promisify(execFile);
const COMPOSE_FILE = resolve('docker-compose.yml');
const HTTP_APPS = ['auth', 'edge', 'spa'] as const;
const PUBLISHED = ['auth', 'edge', 'spa'];
/** O1, O2: where the apps send spans and metrics (OTLP); their UIs published on 127.0.0.1 for an operator. */
const OBSERVABILITY: Readonly<Record<string, string>> = { jaeger: '127.0.0.1:16686:16686', prometheus: '127.0.0.1:9090:9090' };
const NATS_READY_TIMEOUT_MS = 10_000;
/** One-shot jobs: they run to completion before what depends on them starts. */
const JOBS = ['certs', 'jetstream'];
const PROVISION_COMMAND = ['node', 'dist/scripts/nats/main.js', 'provision'];

interface Service {
  readonly profiles?: readonly string[];
  readonly pid?: string;
  readonly cap_add?: readonly string[];
  readonly image?: string;
  readonly command?: readonly string[];
  readonly environment?: Readonly<Record<string, string>>;
  readonly volumes?: readonly string[];
  readonly ports?: readonly string[];
  readonly depends_on?: Readonly<Record<string, { condition: string }>>;
  readonly healthcheck?: { readonly test: readonly string[] };
  readonly restart?: string;
}

const composeText = readFileSync(COMPOSE_FILE, 'utf8');
// The cluster profile's services share anchors (x-cluster-*); compose's YAML parser allows far more
// alias expansion than the yaml package's default guard of 100.
const compose = parse(composeText, { merge: true, maxAliasCount: 1_000 }) as { services: Record<string, Service>; volumes: Record<string, unknown> };
const services = compose.services;
/** What `docker compose up` runs: the services without a profile. */
const DEFAULT_SERVICES = Object.keys(services).filter((name) => services[name]!.profiles === undefined);
const CLUSTER_PROFILE = 'cluster';
const CLUSTER_NODES = [1, 2, 3] as const;
const NODES = CLUSTER_NODES.map(clusterNodeHost);
const REPLICAS = [1, 2] as const;
/** The profile's services: the nodes, a reloader each, the provisioning job, two replicas per workload. */
const CLUSTER_SERVICES = [...NODES, ...NODES.map((node) => `${node}-reloader`), 'jetstream-cluster', ...WORKLOADS.flatMap((workload) => REPLICAS.map((replica) => `${workload}-${replica}`))];
const CLUSTER_JOBS = ['jetstream-cluster'];

function env(name: string): Readonly<Record<string, string>> {
  return services[name]?.environment ?? {};
}

/** `volume:/path[:ro]` entries of a service, as { volume, path, readOnly }. */
function mounts(name: string): { volume: string; path: string; readOnly: boolean }[] {
  return (services[name]?.volumes ?? []).map((entry) => {
    const [volume, path, mode] = entry.split(':');
    return { volume: volume!, path: path!, readOnly: mode === 'ro' };
  });
}

function mountOf(service: string, volume: string): string | undefined {
  return mounts(service).find((mount) => mount.volume === volume)?.path;
}

const ESTATE_VARIABLES = variablesReadIn('libs/estate/src/config');
/** The OTEL_* variables every app's telemetry reads (libs/estate/src/telemetry), and the SDK's own endpoints. */
const TELEMETRY_VARIABLES = variablesReadIn('libs/estate/src/telemetry');

/** What an app service may set: what its sources read, plus the fabric's variables for a workload. */
function variablesFor(service: string): Set<string> {
  if (service === 'jetstream-cluster') return variablesFor('jetstream');
  const replicaOf = /^(edge|sts|orders|inventory)-\d+$/.exec(service)?.[1];
  if (replicaOf !== undefined) return variablesFor(replicaOf);
  if (service === 'certs') return variablesReadIn('deploy/prepare-estate.mjs', 'scripts/nats/main.ts', 'certs/renew-settings.ts', 'scripts/nats/renewer-service.ts');
  if (service === 'renewer') return variablesReadIn('scripts/nats/renewer-service.ts', 'certs/renew-settings.ts');
  if (service === 'jetstream') return new Set([...variablesReadIn('scripts/nats/main.ts', 'scripts/nats/provision-jetstream.ts'), ...ESTATE_VARIABLES]);
  return new Set([...variablesReadIn(`apps/${service}/src`), ...TELEMETRY_VARIABLES, ...((WORKLOADS as readonly string[]).includes(service) ? ESTATE_VARIABLES : [])]);
}

describe('docker-compose.yml', () => {
  it('is valid against the Compose Specification schema, with no dangling reference or interpolation', () => {
    expect(composeSchemaErrors(compose)).toEqual([]);
    expect(composeReferenceErrors(compose)).toEqual([]);
    expect(composeInterpolationErrors(composeText)).toEqual([]);
  });

  it('the schema check bites: a misspelt key, a wrong type, a dangling reference and a broken ${ are each reported', () => {
    const nats = services['nats']!;
    expect(composeSchemaErrors({ ...compose, services: { ...services, nats: { ...nats, healthchek: nats.healthcheck } } })).not.toEqual([]);
    expect(composeSchemaErrors({ ...compose, services: { ...services, nats: { ...nats, ports: 4222 } } })).not.toEqual([]);
    expect(composeSchemaErrors({ ...compose, servics: {} })).not.toEqual([]);
    const edge = services['edge']!;
    expect(composeReferenceErrors({ ...compose, services: { ...services, edge: { ...edge, depends_on: { ath: { condition: 'service_healthy' } } } } })).toEqual([
      'edge: depends_on names no service "ath"',
    ]);
    expect(composeReferenceErrors({ ...compose, services: { ...services, edge: { ...edge, volumes: ['edge-identiy:/certs:ro', './local:/x'] } } })).toEqual([
      'edge: volume "edge-identiy" is not declared',
    ]);
    expect(composeInterpolationErrors('a: ${NAME:-x}\nb: $$HOME $NAME\nc: ${NAME\nd: ${1X}\n')).toEqual([
      'line 3: "${NAME" is not a compose interpolation',
      'line 4: "${1X}" is not a compose interpolation',
    ]);
  });

  it('runs the local estate by default: the broker, the certs and jetstream jobs, the renewer, auth, the SPA, and one service per workload identity', () => {
    expect(DEFAULT_SERVICES.sort()).toEqual(['auth', 'nats', 'renewer', 'spa', ...JOBS, ...WORKLOADS, ...Object.keys(OBSERVABILITY)].sort());
    // Everything else is the cluster profile's.
    expect(Object.keys(services).filter((name) => !DEFAULT_SERVICES.includes(name)).sort()).toEqual([...CLUSTER_SERVICES].sort());
  });

  it('runs every app from one image, by its built entry point', () => {
    const image = services['auth']!.image;
    expect(image).toBeDefined();
    for (const app of [...HTTP_APPS, ...WORKLOADS]) {
      expect(services[app]).toMatchObject({ image, command: ['node', `dist/apps/${app}/main.js`] });
      expect(existsSync(`apps/${app}/src/main.ts`)).toBe(true);
    }
    expect(services['certs']).toMatchObject({ image, command: ['node', 'deploy/prepare-estate.mjs'], restart: 'no' });
    expect(services['jetstream']).toMatchObject({ image, command: PROVISION_COMMAND, restart: 'no' });
    expect(existsSync('scripts/nats/main.ts')).toBe(true);
    expect(services['nats']!.image).toMatch(/^nats:\d+\.\d+\.\d+-alpine$/); // a fixed version
  });

  it('sets only variables its app reads, and the ones the app requires', () => {
    for (const service of [...HTTP_APPS, ...WORKLOADS, ...JOBS, 'renewer']) {
      const unknown = Object.keys(env(service)).filter((name) => !variablesFor(service).has(name));
      expect({ service, unknown }).toEqual({ service, unknown: [] });
    }
    // libs/estate requires NATS_URL and the certificate files (CERTS_DIR); the edge requires AUTH_ISSUER.
    for (const workload of [...WORKLOADS, 'jetstream']) expect(env(workload)).toMatchObject({ NATS_URL: expect.any(String), CERTS_DIR: expect.any(String) });
    expect(env('edge')).toMatchObject({ AUTH_ISSUER: expect.any(String) });
  });

  it('agrees across services on the issuer, the edge audience, the SPA origin and its redirect URI', () => {
    const issuer = env('auth')['AUTH_ISSUER'];
    expect(env('edge')['AUTH_ISSUER']).toBe(issuer);
    expect(env('spa')['AUTH_ISSUER']).toBe(issuer);
    const audience = env('edge')['EDGE_AUDIENCE'] ?? env('edge')['EDGE_PUBLIC_URL'];
    expect(env('auth')['EDGE_AUDIENCE']).toBe(audience);
    expect(env('spa')['EDGE_AUDIENCE'] ?? env('spa')['EDGE_PUBLIC_URL']).toBe(audience);
    expect(env('spa')['EDGE_PUBLIC_URL']).toBe(env('edge')['EDGE_PUBLIC_URL']);
    const spaOrigin = env('spa')['SPA_PUBLIC_URL']!;
    expect(env('auth')['AUTH_SPA_REDIRECT_URIS']!.split(',')).toContain(`${spaOrigin}/callback`);
    expect(env('edge')['EDGE_CORS_ORIGINS']!.split(',')).toContain(spaOrigin); // E24 for this origin
    // The issuer names localhost (browsers); inside the network the edge fetches keys from `auth`.
    const jwks = new URL(env('edge')['AUTH_JWKS_URI']!);
    expect(jwks.hostname).toBe('auth');
    expect(jwks.port).toBe(env('auth')['AUTH_PORT']);
  });

  it('O1, O2: every app sends its spans to Jaeger and its metrics to Prometheus over OTLP; no operations port is on the network', () => {
    for (const app of [...HTTP_APPS.filter((name) => name !== 'spa'), ...WORKLOADS]) {
      expect({ app, traces: env(app)['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'], metrics: env(app)['OTEL_EXPORTER_OTLP_METRICS_ENDPOINT'] }).toEqual({
        app, traces: 'http://jaeger:4318/v1/traces', metrics: 'http://prometheus:9090/api/v1/otlp/v1/metrics',
      });
      expect(env(app)['OPS_PORT']).toBeUndefined();
    }
    expect(services['jaeger']!.image).toMatch(/^jaegertracing\/jaeger:\d+\.\d+\.\d+$/);
    expect(services['prometheus']!.image).toMatch(/^prom\/prometheus:v\d+\.\d+\.\d+$/);
    expect(services['prometheus']!.command).toContain('--web.enable-otlp-receiver');
  });

  it('publishes only auth, the edge and the SPA, on 127.0.0.1, at the ports their public URLs name', () => {
    expect(DEFAULT_SERVICES.filter((name) => services[name]!.ports !== undefined && !(name in OBSERVABILITY)).sort()).toEqual(PUBLISHED);
    for (const [name, port] of Object.entries(OBSERVABILITY)) expect(services[name]!.ports).toEqual([port]);
    const publicUrl = { auth: env('auth')['AUTH_ISSUER'], edge: env('edge')['EDGE_PUBLIC_URL'], spa: env('spa')['SPA_PUBLIC_URL'] };
    const listenPort = { auth: env('auth')['AUTH_PORT'], edge: env('edge')['EDGE_PORT'], spa: env('spa')['SPA_PORT'] };
    const listenHost = { auth: env('auth')['AUTH_HOST'], edge: env('edge')['EDGE_HOST'], spa: env('spa')['SPA_HOST'] };
    for (const app of HTTP_APPS) {
      const port = new URL(publicUrl[app]!).port;
      expect(services[app]!.ports).toEqual([`127.0.0.1:${port}:${listenPort[app]}`]);
      expect(listenHost[app]).toBe('0.0.0.0'); // reachable through the published port
    }
  });

  it('L1: the renewer keeps the PKI it shares with the certs job, hands every identity volume its files, and signals the broker it shares a pid namespace with', () => {
    const renewer = env('renewer');
    const certs = env('certs');
    expect(services['renewer']).toMatchObject({ command: ['node', 'dist/scripts/nats/renewer-service.js'], pid: 'service:nats', cap_add: ['KILL'] });
    expect(existsSync('scripts/nats/renewer-service.ts')).toBe(true);
    expect(mountOf('renewer', 'estate-pki')).toBe(renewer['CERTS_DIR']);
    // The cluster profile's nodes get their folders from both too (idle volumes by default).
    for (const identity of ['nats', ...WORKLOADS, 'admin', ...NODES]) {
      expect(mountOf('renewer', `${identity}-identity`)).toBe(`${renewer['HAND_OUT_DIR']}/${identity}`);
      expect(mountOf('certs', `${identity}-identity`)).toBe(`${certs['ESTATE_OUT_DIR']}/${identity}`);
    }
    // The pid file nats-server writes (-P) is the one the renewer reads, through one volume.
    const pidFile = renewer['SIGHUP_PID_FILE']!;
    expect(services['nats']!.command).toEqual(expect.arrayContaining(['-P', pidFile]));
    expect(mountOf('nats', 'nats-run')).toBe(pidFile.slice(0, pidFile.lastIndexOf('/')));
    expect(mountOf('renewer', 'nats-run')).toBe(pidFile.slice(0, pidFile.lastIndexOf('/')));
    // It follows revocations as the operator, so it starts after the stream is provisioned.
    expect(renewer['NATS_URL']).toBe(env('edge')['NATS_URL']);
    expect(services['renewer']!.depends_on?.['jetstream']).toEqual({ condition: 'service_completed_successfully' });
  });

  it('gives each workload its own identity volume at CERTS_DIR; only the certs job and the renewer mount the whole PKI', () => {
    const certs = env('certs');
    expect(mountOf('certs', 'estate-pki')).toBe(certs['CERTS_DIR']);
    for (const workload of WORKLOADS) {
      const volume = `${workload}-identity`;
      expect(mounts(workload)).toEqual([{ volume, path: env(workload)['CERTS_DIR'], readOnly: true }]);
      expect(mountOf('certs', volume)).toBe(`${certs['ESTATE_OUT_DIR']}/${workload}`);
    }
    // The operator's identity goes to the provisioning job only.
    expect(mounts('jetstream')).toEqual([{ volume: 'admin-identity', path: env('jetstream')['CERTS_DIR'], readOnly: true }]);
    expect(mountOf('certs', 'admin-identity')).toBe(`${certs['ESTATE_OUT_DIR']}/admin`);
    for (const service of Object.keys(services).filter((name) => name !== 'certs' && name !== 'renewer')) {
      expect(mounts(service).map((mount) => mount.volume)).not.toContain('estate-pki');
      if (!['jetstream', 'jetstream-cluster'].includes(service)) expect(mounts(service).map((mount) => mount.volume)).not.toContain('admin-identity');
    }
  });

  it('provisions JetStream after the broker is healthy, and starts every workload only after that succeeded', () => {
    expect(services['jetstream']!.depends_on).toEqual({ nats: { condition: 'service_healthy' } });
    for (const workload of WORKLOADS) {
      expect({ workload, after: services[workload]!.depends_on?.['jetstream'] }).toEqual({ workload, after: { condition: 'service_completed_successfully' } });
    }
    // The edge also needs the issuer's keys: it starts once auth is healthy.
    expect(services['edge']!.depends_on?.['auth']).toEqual({ condition: 'service_healthy' });
  });

  it('runs the broker from the certs job\'s nats.conf, with its own identity and a JetStream store', () => {
    const certs = env('certs');
    const natsUrl = new URL(env('edge')['NATS_URL']!);
    for (const workload of [...WORKLOADS, 'jetstream']) expect(env(workload)['NATS_URL']).toBe(natsUrl.href.replace(/\/$/, ''));
    expect(natsUrl.hostname).toBe('nats');
    expect(certs['NATS_PORT']).toBe(natsUrl.port);
    expect(certs['NATS_HOST']).toBe('0.0.0.0');
    // The rendered paths point into the job's CERTS_DIR; the broker mounts its volume there.
    expect(mounts('nats')).toEqual(
      expect.arrayContaining([
        { volume: 'nats-identity', path: certs['CERTS_DIR'], readOnly: true },
        { volume: 'nats-data', path: certs['NATS_STORE_DIR'], readOnly: false },
      ]),
    );
    expect(mountOf('certs', 'nats-identity')).toBe(`${certs['ESTATE_OUT_DIR']}/nats`);
    expect(services['nats']!.command).toEqual(expect.arrayContaining(['--config', `${certs['CERTS_DIR']}/nats.conf`]));
    expect(services['nats']!.depends_on).toEqual({ certs: { condition: 'service_completed_successfully' } });
  });

  it('has a health check on every long-running service', () => {
    for (const name of Object.keys(services).filter((service) => !JOBS.includes(service) && !CLUSTER_JOBS.includes(service))) {
      expect({ name, healthcheck: services[name]!.healthcheck?.test?.[0] }).toEqual({ name, healthcheck: 'CMD' });
    }
  });
});

describe('docker-compose.yml, profile `cluster` (issue 11: three nodes, two replicas of every workload)', () => {
  const clusterUrl = env('jetstream-cluster')['NATS_URL']!;
  const certs = env('certs');
  const replicas = (workload: string) => REPLICAS.map((replica) => `${workload}-${replica}`);

  it('leaves the default estate as it is: no default service depends on, joins or talks to a profile service', () => {
    for (const name of DEFAULT_SERVICES) {
      const service = services[name]!;
      expect({ name, after: Object.keys(service.depends_on ?? {}).filter((other) => !DEFAULT_SERVICES.includes(other)) }).toEqual({ name, after: [] });
      expect({ name, pid: service.pid }).toEqual({ name, pid: service.pid === undefined ? undefined : 'service:nats' });
      if (env(name)['NATS_URL'] !== undefined) expect({ name, url: env(name)['NATS_URL'] }).toEqual({ name, url: 'tls://nats:4222' });
    }
    // The single broker keeps its single-node configuration (nats/nats.conf, no cluster block: see the certs job's run below).
    expect(services['nats']!.command).toEqual(['nats-server', '--config', '/estate/certs/nats.conf', '--http_port', '8222', '-P', '/run/nats/nats.pid']);
  });

  it('puts every added service in the profile, and each depends on (or shares a pid namespace with) a default or profile service only', () => {
    for (const name of CLUSTER_SERVICES) {
      expect({ name, profiles: services[name]!.profiles }).toEqual({ name, profiles: [CLUSTER_PROFILE] });
      const pidOf = services[name]!.pid?.replace(/^service:/, '');
      for (const other of [...Object.keys(services[name]!.depends_on ?? {}), ...(pidOf === undefined ? [] : [pidOf])]) expect({ name, other, exists: other in services }).toEqual({ name, other, exists: true });
    }
  });

  it('S2: every cluster client is given all three nodes\' URLs, and the nodes are the profile\'s services on the broker\'s port', () => {
    const clients = CLUSTER_SERVICES.filter((name) => env(name)['NATS_URL'] !== undefined);
    expect(clients.sort()).toEqual(['jetstream-cluster', ...WORKLOADS.flatMap(replicas)].sort());
    for (const name of clients) {
      const urls = env(name)['NATS_URL']!.split(',').map((url) => new URL(url));
      expect({ name, hosts: urls.map((url) => url.hostname).sort(), schemes: [...new Set(urls.map((url) => url.protocol))], ports: [...new Set(urls.map((url) => url.port))] })
        .toEqual({ name, hosts: NODES, schemes: ['tls:'], ports: [certs['NATS_PORT']] });
    }
  });

  it('T6, S1: each node runs the pinned nats-server from its own folder\'s nats.conf, named by its host name, with its own JetStream volume and pid file', () => {
    expect(certs['NATS_CLUSTER_NODES']).toBe(String(NODES.length));
    expect(env('renewer')['NATS_CLUSTER_NODES']).toBe(String(NODES.length));
    const dataVolumes = new Set<string>();
    for (const node of NODES) {
      const service = services[node]!;
      expect(service.image).toBe(services['nats']!.image);
      expect(service.command).toEqual(['nats-server', '--config', `${certs['CERTS_DIR']}/nats.conf`, '--server_name', node, '-P', '/run/nats/nats.pid']);
      expect(mounts(node)).toEqual([
        { volume: `${node}-identity`, path: certs['CERTS_DIR'], readOnly: true },
        { volume: `${node}-data`, path: certs['NATS_STORE_DIR'], readOnly: false },
        { volume: `${node}-run`, path: '/run/nats', readOnly: false },
      ]);
      dataVolumes.add(mountOf(node, `${node}-data`) === undefined ? '' : `${node}-data`);
      // The certs job fills the node's folder once, the renewer keeps it fresh.
      expect(mountOf('certs', `${node}-identity`)).toBe(`${certs['ESTATE_OUT_DIR']}/${node}`);
      expect(mountOf('renewer', `${node}-identity`)).toBe(`${env('renewer')['HAND_OUT_DIR']}/${node}`);
      expect(service.depends_on).toEqual({ certs: { condition: 'service_completed_successfully' } });
      expect(service.healthcheck?.test).toEqual(['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:8222/healthz']);
    }
    expect(dataVolumes.size).toBe(NODES.length);
    for (const volume of NODES.flatMap((node) => [`${node}-identity`, `${node}-data`, `${node}-run`])) expect(compose.volumes).toHaveProperty([volume]);
  });

  it('L1, T6: each node\'s reloader shares its pid namespace and signals it when its certificate, route certificate, bundle, pins or configuration change', () => {
    for (const node of NODES) {
      const reloader = services[`${node}-reloader`]!;
      expect(reloader.pid).toBe(`service:${node}`);
      expect(mounts(`${node}-reloader`)).toEqual([
        { volume: `${node}-identity`, path: certs['CERTS_DIR'], readOnly: true },
        { volume: `${node}-run`, path: '/run/nats', readOnly: true },
      ]);
      const command = reloader.command ?? [];
      expect(command.slice(0, 2)).toEqual(['-pid', '/run/nats/nats.pid']);
      const watched = command.filter((_, index) => command[index - 1] === '-config');
      expect(watched.sort()).toEqual(['nats.conf', 'nats.crt', 'nats-route.crt', 'ca.crt', 'nats-pins.conf'].map((file) => `${certs['CERTS_DIR']}/${file}`).sort());
      expect(reloader.depends_on).toEqual({ [node]: { condition: 'service_healthy' } });
    }
  });

  it('S1: the jetstream-cluster job provisions every asset at R3 as the operator, once all three nodes are healthy; every replica starts after it', () => {
    expect(services['jetstream-cluster']).toMatchObject({ command: PROVISION_COMMAND, restart: 'no', image: services['jetstream']!.image });
    expect(env('jetstream-cluster')).toMatchObject({ JETSTREAM_REPLICAS: '3', CERTS_DIR: env('jetstream')['CERTS_DIR'], STATE_BUCKET_MAX_BYTES: env('jetstream')['STATE_BUCKET_MAX_BYTES'] });
    expect(mounts('jetstream-cluster')).toEqual(mounts('jetstream'));
    expect(services['jetstream-cluster']!.depends_on).toEqual(Object.fromEntries(NODES.map((node) => [node, { condition: 'service_healthy' }])));
    for (const replica of WORKLOADS.flatMap(replicas)) expect({ replica, after: services[replica]!.depends_on?.['jetstream-cluster'] }).toEqual({ replica, after: { condition: 'service_completed_successfully' } });
  });

  it('S3: two replicas of every workload, each with the workload\'s one identity and the same settings, sharing its replay bucket on the cluster (E17, H6)', () => {
    for (const workload of WORKLOADS) {
      const [first, second] = replicas(workload) as [string, string];
      for (const replica of [first, second]) {
        expect({ replica, command: services[replica]!.command, image: services[replica]!.image }).toEqual({ replica, command: services[workload]!.command, image: services[workload]!.image });
        // One SPIFFE identity per workload: the replicas mount the single service's identity volume.
        expect(mounts(replica)[0]).toEqual({ volume: `${workload}-identity`, path: env(replica)['CERTS_DIR'], readOnly: true });
        // Hop proofs are claimed in the workload's JetStream bucket (the default; never a per-process memory store).
        expect(env(replica)['HOP_REPLAY_STORE'] ?? 'jetstream').toBe('jetstream');
        expect(services[replica]!.healthcheck?.test).toEqual(services[workload]!.healthcheck?.test);
      }
      const { EDGE_PUBLIC_URL: _first, ...firstEnv } = env(first);
      const { EDGE_PUBLIC_URL: _second, ...secondEnv } = env(second);
      expect(firstEnv).toEqual(secondEnv);
      // What the replica sets beyond the single service: the cluster's URL, and the settings replicas must share.
      expect(Object.keys(firstEnv).filter((name) => !(name in env(workload))).sort()).toEqual(
        { edge: ['EDGE_AUDIENCE'], sts: ['STS_KEYS_FILE'], orders: [], inventory: [] }[workload].sort(),
      );
      for (const [name, value] of Object.entries(env(workload))) {
        if (name === 'NATS_URL') expect(firstEnv[name]).toBe(clusterUrl);
        else if (name !== 'EDGE_PUBLIC_URL') expect({ workload, name, value: firstEnv[name] }).toEqual({ workload, name, value });
      }
    }
    // E17 at the door: both edges claim DPoP proof jtis in the edge's bucket, for the one audience auth issues.
    for (const edge of replicas('edge')) expect(env(edge)).toMatchObject({ REPLAY_STORE: 'jetstream', EDGE_AUDIENCE: env('auth')['EDGE_AUDIENCE'] });
    // The STS replicas sign with one key set, kept on one volume the first writes and the second reads after it.
    expect(mountOf('sts-1', 'sts-keys')).toBe(mountOf('sts-2', 'sts-keys'));
    expect(env('sts-1')['STS_KEYS_FILE']!.startsWith(`${mountOf('sts-1', 'sts-keys')}/`)).toBe(true);
    expect(services['sts-2']!.depends_on?.['sts-1']).toEqual({ condition: 'service_healthy' });
  });

  it('publishes the cluster\'s two edges on 127.0.0.1 at the ports their public origins name, and nothing else of the profile', () => {
    expect(CLUSTER_SERVICES.filter((name) => services[name]!.ports !== undefined).sort()).toEqual(replicas('edge'));
    const taken = DEFAULT_SERVICES.flatMap((name) => services[name]!.ports ?? []).map((port) => port.split(':')[1]);
    for (const edge of replicas('edge')) {
      const port = new URL(env(edge)['EDGE_PUBLIC_URL']!).port;
      expect(services[edge]!.ports).toEqual([`127.0.0.1:${port}:${env(edge)['EDGE_PORT']}`]);
      expect(taken).not.toContain(port);
      expect(env(edge)['EDGE_HOST']).toBe('0.0.0.0');
    }
  });
});

describe('the certs job, run here as compose runs it (deploy/prepare-estate.mjs)', () => {
  let folder: string;
  let certsDir: string;
  let outDir: string;
  let natsPort: number;
  let broker: ChildProcess | undefined;
  let brokerOutput = '';

  beforeAll(async () => {
    if (!existsSync('dist/scripts/nats/renewer-service.js')) throw new Error('dist/ is missing: run npm run build first');
    folder = await mkdtemp(join(tmpdir(), 'compose-certs-'));
    certsDir = join(folder, 'certs');
    outDir = join(folder, 'out');
    natsPort = await freePort();
    // The job's own environment, with the container paths and the port moved to this machine.
    await run(process.execPath, ['deploy/prepare-estate.mjs'], {
      env: {
        PATH: process.env['PATH'] ?? '',
        ...env('certs'),
        CERTS_DIR: certsDir,
        ESTATE_OUT_DIR: outDir,
        NATS_HOST: '127.0.0.1',
        NATS_PORT: String(natsPort),
        NATS_STORE_DIR: join(folder, 'jetstream'),
      },
    });
  }, PROCESS_HOOK_TIMEOUT_MS);

  afterAll(async () => {
    if (broker !== undefined && broker.exitCode === null) {
      const exited = new Promise((done) => broker!.once('exit', done));
      broker.kill('SIGTERM');
      await exited;
    }
    await rm(folder, { recursive: true, force: true });
  }, PROCESS_HOOK_TIMEOUT_MS);

  it('hands each workload exactly its own certificate and key and the CA certificate, readable by libs/estate', () => {
    for (const workload of WORKLOADS) {
      const dir = join(outDir, workload);
      expect(readdirSync(dir).sort()).toEqual(['ca.crt', `${workload}.crt`, `${workload}.key`].sort());
      expect(statSync(join(dir, `${workload}.key`)).mode & 0o777).toBe(0o600);
      // What the app does at start with compose's variables (CERTS_DIR pointing at its volume).
      const config = loadEstateConfig({ ...env(workload), CERTS_DIR: dir }, workload as Workload);
      expect(config.spiffeId).toBe(spiffeIdOf(workload as Workload));
    }
    expect(readdirSync(join(outDir, 'nats')).sort()).toEqual(['ca.crt', 'nats-pins.conf', 'nats.conf', 'nats.crt', 'nats.key']);
    expect(readdirSync(join(outDir, 'admin')).sort()).toEqual(['admin.crt', 'admin.key', 'ca.crt']);
  });

  it('issues the broker a certificate for the host name the workloads dial (NATS_URL)', () => {
    const host = new URL(env('edge')['NATS_URL']!).hostname;
    const certificate = new X509Certificate(readFileSync(join(outDir, 'nats', 'nats.crt')));
    expect((certificate.subjectAltName ?? '').split(', ')).toContain(`DNS:${host}`);
  });

  it('renders nats.conf with the shared generator: the identities and permissions of the local estate', () => {
    const rendered = readFileSync(join(outDir, 'nats', 'nats.conf'), 'utf8');
    const tls = { certFile: join(certsDir, 'nats.crt'), keyFile: join(certsDir, 'nats.key'), caFile: join(certsDir, 'ca.crt') };
    expect(rendered).toBe(renderNatsConfig({ host: '127.0.0.1', port: natsPort, tls, jetStreamDir: join(folder, 'jetstream'), pinsFile: 'nats-pins.conf' }));
    const users = [...rendered.matchAll(/user: "([^"]+)"/g)].map((match) => match[1]);
    expect(users).toEqual(expect.arrayContaining(WORKLOADS.map((workload) => spiffeIdOf(workload))));
  });

  it('T6: hands each cluster node its own folder: the broker\'s pair (naming every node), its own route certificate (the route identity and its host name), the pins, the bundle and nats.conf', () => {
    const ca = new X509Certificate(readFileSync(join(certsDir, 'ca.crt')));
    const routeThumbprints = new Set<string>();
    for (const node of NODES) {
      const dir = join(outDir, node);
      expect(readdirSync(dir).sort()).toEqual(['ca.crt', 'nats-pins.conf', 'nats-route.crt', 'nats-route.key', 'nats.conf', 'nats.crt', 'nats.key']);
      for (const key of ['nats.key', 'nats-route.key']) expect(statSync(join(dir, key)).mode & 0o777).toBe(0o600);
      expect(readFileSync(join(dir, 'nats.crt'), 'utf8')).toBe(readFileSync(join(outDir, 'nats', 'nats.crt'), 'utf8'));
      expect(readFileSync(join(dir, 'nats-pins.conf'), 'utf8')).toBe(readFileSync(join(outDir, 'nats', 'nats-pins.conf'), 'utf8'));
      const route = new X509Certificate(readFileSync(join(dir, 'nats-route.crt')));
      const names = (route.subjectAltName ?? '').split(', ');
      expect(names).toEqual(expect.arrayContaining([`URI:${ROUTE_SPIFFE_ID}`, `DNS:${node}`]));
      expect(route.checkIssued(ca) && route.verify(ca.publicKey)).toBe(true);
      routeThumbprints.add(route.fingerprint256);
    }
    expect(routeThumbprints.size).toBe(NODES.length);
    // Every node serves clients with the broker's certificate: it must name the host each client dials.
    const broker = (new X509Certificate(readFileSync(join(outDir, 'nats', 'nats.crt'))).subjectAltName ?? '').split(', ');
    expect(broker).toEqual(expect.arrayContaining(NODES.map((node) => `DNS:${node}`)));
  });

  it('T6, S1: each node\'s nats.conf is the cluster renderer\'s output (the cluster supervisor\'s, permission table included), and the real nats-server accepts it with the files handed to that node', async () => {
    const expected = renderClusterNodeConfig({
      certsDir,
      host: '127.0.0.1',
      port: natsPort,
      routePort: DEFAULT_ROUTE_PORT,
      httpPort: DEFAULT_MONITORING_PORT,
      storeDir: join(folder, 'jetstream'),
      routes: clusterNodeRoutes(NODES.length),
      pinsFile: 'nats-pins.conf',
    });
    expect(expected).toContain(`routes: [${NODES.map((node) => `"nats-route://${node}:${DEFAULT_ROUTE_PORT}"`).join(', ')}]`);
    expect(expected).toContain(`user: "${ROUTE_SPIFFE_ID}"`);
    expect(expected).toContain(`http: "127.0.0.1:${DEFAULT_MONITORING_PORT}"`); // the health check's port
    for (const node of NODES) {
      const config = readFileSync(join(outDir, node, 'nats.conf'), 'utf8');
      expect(config).toBe(expected);
      // The node's container view: its folder mounted at CERTS_DIR. nats-server -t loads every
      // certificate, key and include the file names, and parses the rest as the node would.
      const view = join(folder, 'view', node);
      await run('mkdir', ['-p', view]);
      for (const file of readdirSync(join(outDir, node))) await writeFile(join(view, file), readFileSync(join(outDir, node, file)), { mode: 0o600 });
      await writeFile(join(view, 'nats.conf'), config.replaceAll(`${certsDir}/`, `${view}/`));
      const checked = await run(findNatsServer(), ['-t', '-c', join(view, 'nats.conf'), '--server_name', node]).catch((error: { stderr?: string; stdout?: string }) => ({ stdout: error.stdout ?? '', stderr: `${error.stderr ?? ''} (failed)` }));
      expect({ node, output: `${checked.stdout}${checked.stderr}` }).toEqual({ node, output: expect.stringMatching(/configuration file .* is valid/) });
    }
  });

  it('a nats-server started from that nats.conf admits each workload with the files handed to it', async () => {
    broker = spawn(findNatsServer(), ['-c', join(outDir, 'nats', 'nats.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
    broker.stderr?.on('data', (chunk: Buffer) => (brokerOutput += chunk.toString()));
    const files = (workload: string) => ({
      certFile: join(outDir, workload, `${workload}.crt`),
      keyFile: join(outDir, workload, `${workload}.key`),
      caFile: join(outDir, workload, 'ca.crt'),
    });
    const deadline = Date.now() + NATS_READY_TIMEOUT_MS;
    for (const workload of WORKLOADS) {
      for (;;) {
        try {
          const connection = await connect({ servers: `tls://127.0.0.1:${natsPort}`, tls: files(workload), timeout: 1_000, reconnect: false });
          await connection.flush();
          await connection.close();
          break;
        } catch (error) {
          if (Date.now() > deadline || broker.exitCode !== null) throw new Error(`${workload} was not admitted: ${String(error)}\n${brokerOutput}`);
          await new Promise((done) => setTimeout(done, 100));
        }
      }
    }
  });

  it('the jetstream job, run as compose runs it with the operator\'s files, provisions that broker (twice: idempotent)', async () => {
    expect(broker?.exitCode).toBeNull(); // started by the test above
    const jobEnv = { PATH: process.env['PATH'] ?? '', ...env('jetstream'), NATS_URL: `tls://127.0.0.1:${natsPort}`, CERTS_DIR: join(outDir, 'admin') };
    for (let run_ = 0; run_ < 2; run_ += 1) {
      const { stdout } = await run(process.execPath, PROVISION_COMMAND.slice(1), { env: jobEnv });
      expect(stdout).toContain('provisioned stream REVOCATIONS, buckets edge, sts, orders, inventory, orders-state, inventory-state');
    }
  });

  it('L1, L5: the renewer service, run as compose runs it (30 s certificates), renews, hands the new files out (the cluster nodes\' route certificates too), reloads the broker through its pid file, and reports healthy', async () => {
    expect(broker?.exitCode).toBeNull();
    const pidFile = join(folder, 'nats.pid');
    await writeFile(pidFile, `${broker!.pid}\n`);
    const before = await readFile(join(outDir, 'edge', 'edge.crt'), 'utf8');
    const routesBefore = await Promise.all(NODES.map((node) => readFile(join(outDir, node, 'nats-route.crt'), 'utf8')));
    const reloadsBefore = brokerOutput.match(/Reloaded server configuration/g)?.length ?? 0;
    const service = spawn(process.execPath, ['dist/scripts/nats/renewer-service.js'], {
      env: { PATH: process.env['PATH'] ?? '', ...env('renewer'), CERTS_DIR: certsDir, HAND_OUT_DIR: outDir, SIGHUP_PID_FILE: pidFile, NATS_URL: `tls://127.0.0.1:${natsPort}`, CERT_TTL: '30s' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    service.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    service.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      // The job issued 1 h leaves; with CERT_TTL=30s the service renews each at once, then every 15 s.
      const deadline = Date.now() + 60_000;
      while ((await readFile(join(outDir, 'edge', 'edge.crt'), 'utf8')) === before) {
        if (Date.now() > deadline || service.exitCode !== null) throw new Error(`edge.crt was not handed out anew:\n${output}`);
        await new Promise((done) => setTimeout(done, 200));
      }
      // Each cluster node's route certificate too, into its own folder (its reloader then signals it).
      for (const [index, node] of NODES.entries()) {
        while ((await readFile(join(outDir, node, 'nats-route.crt'), 'utf8')) === routesBefore[index]) {
          if (Date.now() > deadline || service.exitCode !== null) throw new Error(`${node}/nats-route.crt was not handed out anew:\n${output}`);
          await new Promise((done) => setTimeout(done, 200));
        }
      }
      const renewed = new X509Certificate(await readFile(join(outDir, 'edge', 'edge.crt')));
      expect(new Date(renewed.validTo).getTime() - new Date(renewed.validFrom).getTime()).toBeLessThanOrEqual(40_000);
      while ((brokerOutput.match(/Reloaded server configuration/g)?.length ?? 0) <= reloadsBefore) {
        if (Date.now() > deadline) throw new Error(`the broker was not reloaded:\n${output}\n${brokerOutput}`);
        await new Promise((done) => setTimeout(done, 200));
      }
      // The handed-out pair works against the reloaded broker.
      const connection = await connect({ servers: `tls://127.0.0.1:${natsPort}`, tls: { certFile: join(outDir, 'edge', 'edge.crt'), keyFile: join(outDir, 'edge', 'edge.key'), caFile: join(outDir, 'edge', 'ca.crt') }, timeout: 2_000, reconnect: false });
      await connection.flush();
      await connection.close();
      while (!/following estate\.revocations/.test(output)) {
        if (Date.now() > deadline) throw new Error(`the renewer did not follow revocations:\n${output}`);
        await new Promise((done) => setTimeout(done, 200));
      }
      // The compose health check, as its container runs it.
      const health = await run(process.execPath, ['deploy/healthcheck.mjs', 'renewer', join(certsDir, 'renewer-status.json')]);
      expect(health.stderr).toBe('');
    } finally {
      service.kill('SIGTERM');
      await new Promise((done) => (service.exitCode === null ? service.once('exit', done) : done(undefined)));
    }
  }, 90_000);

  it('the jetstream job with a workload\'s files instead of the operator\'s is refused and exits non-zero', async () => {
    const jobEnv = { PATH: process.env['PATH'] ?? '', ...env('jetstream'), NATS_URL: `tls://127.0.0.1:${natsPort}`, CERTS_DIR: join(outDir, 'orders') };
    await expect(run(process.execPath, PROVISION_COMMAND.slice(1), { env: jobEnv })).rejects.toMatchObject({ code: 1 });
  });
});
