import { resolve } from 'node:path';
import { ensureNatsServer } from './ensure-nats-server.js';
import type { NatsServerBinary } from './find-nats-server.js';
import { PINNED_NATS_SERVER_MODULE_QUERY, PINNED_NATS_SERVER_VERSION } from './nats-server-release.js';
import { provisionAsAdmin } from './provision-jetstream.js';
import { clusterNodeRoutes, DEFAULT_MONITORING_PORT, DEFAULT_ROUTE_PORT, renderClusterNodeConfig } from './cluster-config.js';
import { provisionCluster } from './cluster-provision.js';
import { renderNatsConfig } from './render-nats-config.js';
import { startNatsServer } from './supervisor.js';

/**
 * The nats-server of the estate, for people (the demo, docker-compose), from dist/ after
 * `npm run build`:
 *
 *   node dist/scripts/nats/main.js ensure-server  # find or build the pinned nats-server; one line
 *   node dist/scripts/nats/main.js serve          # own free port (or NATS_PORT), certs from CERTS_DIR
 *   node dist/scripts/nats/main.js config         # print the configuration (for a container)
 *   node dist/scripts/nats/main.js provision      # as admin: the REVOCATIONS stream and buckets
 *
 * `ensure-server` is what `npm test` and `npm run estate` run first, so a fresh clone builds the
 * broker itself (with Go) before anything starts one. `serve` provisions JetStream itself once
 * the server is ready. `provision` reads NATS_URL and CERTS_DIR (admin.crt, admin.key, ca.crt)
 * like every app (libs/estate).
 */
const USAGE = `usage: node dist/scripts/nats/main.js <command>

  ensure-server  find the pinned nats-server v${PINNED_NATS_SERVER_VERSION} (NATS_SERVER_BIN, .bin/, PATH), or build it
                 into .bin/ with \`go install ${PINNED_NATS_SERVER_MODULE_QUERY}\`; prints
                 "nats-server v<version> (<where it came from>: <path>)"
  serve          run the estate's nats-server with mTLS on a free port (or NATS_PORT) and provision JetStream
  config         print the rendered nats-server configuration (for a container)
  cluster-config print one cluster node's configuration (every node the same; --server_name names it):
                 NATS_CLUSTER_ROUTES (comma-separated nats-route:// URLs) or NATS_CLUSTER_NODES (n nodes
                 named nats-1 ... nats-n), NATS_CLUSTER_NAME, NATS_ROUTE_PORT (6222), NATS_HTTP_PORT (8222),
                 NATS_PINS_FILE; route leaf nats-route.crt/key in CERTS_DIR
  provision      as admin: the REVOCATIONS stream, the replay and state buckets (NATS_URL, CERTS_DIR);
                 given several URLs (a cluster), retried while the cluster forms

environment: CERTS_DIR (default certs/out), NATS_HOST (default 127.0.0.1), NATS_PORT,
  NATS_STORE_DIR (config; default /data), NATS_PINS_FILE (config: a pinned_certs file to include,
  relative to the config's folder), NATS_SERVER_BIN (a v${PINNED_NATS_SERVER_VERSION} binary),
  NATS_SERVER_ALLOW_UNPINNED=1 (run another release anyway, with a warning; experiments only)
`;

/** The one line the estate and CI show: `nats-server v2.15.3 (.bin: /path/.bin/nats-server)`. */
function describeBinary(binary: NatsServerBinary): string {
  return `nats-server v${binary.version} (${binary.source}: ${binary.path})`;
}

function port(raw: string | undefined, fallback: number | undefined): number | undefined {
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || value < 1 || value > 65535) throw new Error(`NATS_PORT: must be a port number, got "${raw}"`);
  return value;
}

async function main(command: string | undefined): Promise<void> {
  if (command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  if (command === 'ensure-server') {
    console.log(describeBinary(await ensureNatsServer()));
    return;
  }
  const certsDir = resolve(process.env['CERTS_DIR']?.trim() || 'certs/out');
  const host = process.env['NATS_HOST']?.trim() || '127.0.0.1';
  const tls = { certFile: `${certsDir}/nats.crt`, keyFile: `${certsDir}/nats.key`, caFile: `${certsDir}/ca.crt` };
  if (command === 'config') {
    const jetStreamDir = process.env['NATS_STORE_DIR']?.trim() || '/data';
    // The renewer's pins, beside nats.conf (a relative include resolves against the config's folder).
    const pinsFile = process.env['NATS_PINS_FILE']?.trim() || undefined;
    process.stdout.write(renderNatsConfig({ host, port: port(process.env['NATS_PORT'], 4222)!, tls, jetStreamDir, ...(pinsFile === undefined ? {} : { pinsFile }) }));
    return;
  }
  if (command === 'cluster-config') {
    const routePort = port(process.env['NATS_ROUTE_PORT'], DEFAULT_ROUTE_PORT)!;
    const listed = (process.env['NATS_CLUSTER_ROUTES'] ?? '').split(',').map((route) => route.trim()).filter((route) => route !== '');
    const nodes = process.env['NATS_CLUSTER_NODES']?.trim();
    const routes = listed.length > 0 || nodes === undefined || nodes === '' ? listed : clusterNodeRoutes(Number(nodes), routePort);
    const pinsFile = process.env['NATS_PINS_FILE']?.trim() || undefined;
    process.stdout.write(renderClusterNodeConfig({
      certsDir,
      host,
      port: port(process.env['NATS_PORT'], 4222)!,
      routePort,
      httpPort: port(process.env['NATS_HTTP_PORT'], DEFAULT_MONITORING_PORT)!,
      storeDir: process.env['NATS_STORE_DIR']?.trim() || '/data',
      routes,
      ...(process.env['NATS_CLUSTER_NAME']?.trim() ? { clusterName: process.env['NATS_CLUSTER_NAME'].trim() } : {}),
      ...(pinsFile === undefined ? {} : { pinsFile }),
    }));
    return;
  }
  if (command === 'provision') {
    // A cluster's JetStream answers only once its nodes have routed and elected a meta leader.
    const servers = (process.env['NATS_URL'] ?? '').split(',').filter((url) => url.trim() !== '');
    const provisioned = await (servers.length > 1 ? provisionCluster(process.env) : provisionAsAdmin(process.env));
    console.log(`provisioned stream ${provisioned.revocationStream}, buckets ${[...provisioned.replayBuckets, ...provisioned.stateBuckets].join(', ')}`);
    return;
  }
  if (command !== 'serve') {
    process.stderr.write(command === undefined ? USAGE : `nats: unknown command "${command}"\n${USAGE}`);
    process.exitCode = 1;
    return;
  }
  const requested = port(process.env['NATS_PORT'], undefined);
  const supervisor = await startNatsServer({
    tls,
    probe: { certFile: `${certsDir}/admin.crt`, keyFile: `${certsDir}/admin.key` },
    host,
    ...(requested === undefined ? {} : { port: requested }),
  });
  console.log(`nats-server v${supervisor.version} (${supervisor.binarySource})`);
  await provisionAsAdmin({ NATS_URL: supervisor.url, CERTS_DIR: certsDir });
  console.log(`nats-server ready: NATS_URL=${supervisor.url} CERTS_DIR=${certsDir} (Ctrl-C stops it)`);
  const stop = (): void => {
    supervisor.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main(process.argv[2]).catch((error: unknown) => {
  console.error(`nats: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
