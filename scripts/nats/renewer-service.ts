import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { RevocationFeed } from '#binding';
import { ADMIN_IDENTITY, inboxPrefixOf, integerVariable } from '#estate';
import { writeFileAtomically } from '../../certs/atomic-write.js';
import { CertificateRenewer } from '../../certs/certificate-renewer.js';
import { describeChange, signalBroker } from '../../certs/broker-signal.js';
import { ESTATE_LEAVES, estateLeavesWithCluster } from '../../certs/estate-leaves.js';
import { RENEW_USAGE, renewSettings } from '../../certs/renew-settings.js';
import { followBrokerRevocations } from './broker-revocations.js';
import { handOut, handOutPlan } from './hand-out.js';

/** A cluster of up to this many nodes (NATS_CLUSTER_NODES); the estate's has three. */
const MAX_CLUSTER_NODES = 9;

/**
 * `node dist/scripts/nats/renewer-service.js [--once]`: the estate's renewer as a service (the
 * compose `renewer`; the `certs` job runs it with --once). What certs/renew.js does, plus what a
 * deployment of separate containers needs:
 * - HAND_OUT_DIR: after every change, each identity's files are copied into `<dir>/<name>/` (the
 *   volume only that container mounts): `<name>.key`, then `<name>.crt`, then `ca.crt`, each
 *   atomically and only when changed; the broker's folder also gets `nats-pins.conf` (first, so
 *   a new key is pinned before it is used). hand-out.ts.
 * - NATS_CLUSTER_NODES (compose's `cluster` profile): also one route leaf per cluster node, the
 *   broker's certificate naming every node (`nats-<index>`), and a folder per node
 *   (`<dir>/nats-<index>/`: the broker's pair, its route pair as `nats-route.*`, pins, bundle).
 *   Each node is reloaded by its own reloader (a container shares one pid namespace: signalling
 *   three nodes from here would put them in one namespace, whose end would end all three).
 * - SIGHUP_PID_FILE: then nats-server reloads (it shares this container's pid namespace).
 * - NATS_URL: as the operator (the admin files in CERTS_DIR), it hears `estate.revocations` and
 *   unpins every revoked certificate (broker-revocations.ts), so the broker closes it (L5).
 * - RENEWER_STATUS_FILE (default `<CERTS_DIR>/renewer-status.json`): rewritten every
 *   STATUS_INTERVAL_MS; the compose health check reads it (deploy/healthcheck.mjs renewer).
 * With --once it brings the folder up to date, hands out and exits.
 */
const USAGE = `Usage: node dist/scripts/nats/renewer-service.js [--once] [--help]

The estate renewer as a service: certs/renew.js (below), plus HAND_OUT_DIR, NATS_URL and
RENEWER_STATUS_FILE (see scripts/nats/renewer-service.ts). --once: issue what is missing, hand
out, exit.

${RENEW_USAGE}
Also:
  HAND_OUT_DIR          copy each identity's files into <dir>/<name>/ after every change
  NATS_CLUSTER_NODES    also issue a route certificate per cluster node (0-${MAX_CLUSTER_NODES}, default 0) and hand
                        each node its files into <dir>/nats-<index>/
  NATS_URL              follow estate.revocations as admin and unpin revoked certificates
  RENEWER_STATUS_FILE   status JSON for health checks (default <CERTS_DIR>/renewer-status.json)
`;

/** How often the status file is rewritten; the health check allows a few missed beats. */
const STATUS_INTERVAL_MS = 10_000; // milliseconds
const OPERATOR_RECONNECT_WAIT_MS = 1_000; // milliseconds

type Env = Readonly<Record<string, string | undefined>>;

function setting(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  return raw === undefined || raw === '' ? undefined : raw;
}

async function connectOperator(url: string, certsDir: string): Promise<NatsConnection> {
  return connect({
    servers: url.split(','),
    name: 'renewer-revocations',
    inboxPrefix: inboxPrefixOf(ADMIN_IDENTITY),
    // File names, not contents: nats.js reads them again on reconnect, so the renewed admin leaf is used.
    tls: { certFile: join(certsDir, `${ADMIN_IDENTITY}.crt`), keyFile: join(certsDir, `${ADMIN_IDENTITY}.key`), caFile: join(certsDir, 'ca.crt') },
    reconnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: OPERATOR_RECONNECT_WAIT_MS,
    ignoreAuthErrorAbort: true,
  });
}

async function main(argv: readonly string[], env: Env): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(USAGE);
    return;
  }
  const settings = renewSettings(env);
  const clusterNodes = integerVariable(env, 'NATS_CLUSTER_NODES', 0, 0, MAX_CLUSTER_NODES);
  const outDir = setting(env, 'HAND_OUT_DIR');
  const plan = handOutPlan(ESTATE_LEAVES.map((leaf) => leaf.name), clusterNodes);
  const pidFile = settings.sighupPidFile;
  const renewer = new CertificateRenewer({
    ...settings.renewer,
    leaves: estateLeavesWithCluster(clusterNodes),
    onChange: async (change) => {
      console.log(describeChange(change));
      if (outDir !== undefined) await handOut(renewer.dir, outDir, plan);
      if (pidFile !== undefined) await signalBroker(pidFile, change, (message) => console.error(`renewer: ${message}`));
    },
  });
  await renewer.start();
  if (outDir !== undefined) await handOut(renewer.dir, outDir, plan);
  if (argv.includes('--once')) {
    await renewer.stop();
    console.log(`issued and handed out: ${Object.keys(renewer.status().leaves).join(', ')}`);
    return;
  }
  const statusFile = setting(env, 'RENEWER_STATUS_FILE') ?? join(renewer.dir, 'renewer-status.json');
  const writeStatus = (): Promise<void> =>
    writeFileAtomically(statusFile, `${JSON.stringify({ at: new Date().toISOString(), ...renewer.status() })}\n`, { mode: 0o644 }).catch((error: unknown) => {
      console.error(`renewer: cannot write ${statusFile}: ${error instanceof Error ? error.message : String(error)}`);
    });
  await writeStatus();
  const beat = setInterval(() => void writeStatus(), STATUS_INTERVAL_MS);
  let operator: NatsConnection | undefined;
  let feed: RevocationFeed | undefined;
  const natsUrl = setting(env, 'NATS_URL');
  if (natsUrl !== undefined) {
    operator = await connectOperator(natsUrl, renewer.dir);
    feed = await followBrokerRevocations({
      connection: operator,
      renewer,
      onRevoked: (outcome) => console.log('error' in outcome ? `could not unpin revoked ${outcome.thumbprint}: ${String(outcome.error)}` : `revoked ${outcome.thumbprint}${outcome.pinned ? ': unpinned' : ' (not one of ours)'}`),
    });
  }
  console.log(`renewing certificates in ${renewer.dir}${outDir === undefined ? '' : `, handing out into ${outDir}`}${natsUrl === undefined ? '' : ', following estate.revocations'}`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  clearInterval(beat);
  await feed?.close();
  await operator?.close();
  await renewer.stop();
}

main(process.argv.slice(2), process.env).catch((error: unknown) => {
  console.error(`renewer: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
