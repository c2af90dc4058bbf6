import { mkdir } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { Logger } from '@nestjs/common';
import { fileURLToPath } from 'node:url';
import { NatsServerMissingError } from '../nats/find-nats-server.js';
import { startDevFabric, type DevFabric } from '../nats/dev-fabric.js';
import { AppProcess } from './app-process.js';
import { edgeReplicaUrls, estateApps, estateLayout } from './estate-layout.js';
import { ESTATE_USAGE, EstateUsageError, parseEstateArguments, type EstateArguments } from './estate-arguments.js';
import { startTraceViewer, type TraceViewer } from './trace-viewer.js';
import { runWalkthrough } from './walkthrough.js';
import { WalkthroughReport } from './walkthrough-report.js';

/**
 * `npm run estate [-- --once] [--cert-ttl 30s]`: the whole estate on this machine, then a
 * walkthrough of the hybrid flow with two attacks refused. A certificate renewer keeps certs/out/
 * short-lived (1 h by default, renewed at half-life, SECURITY.md L1); the pinned nats-server runs
 * with mTLS on a free port, admits only the keys the renewer pins and reloads on every renewal;
 * each app runs as a child process with a readiness check and follows its certificate files.
 * Without --once it keeps running for the SPA until Ctrl-C; with --once it exits after the
 * walkthrough, 0 only if every step went as expected. Nothing is left running either way.
 */
const ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
/** NATS_CONNECT_TIMEOUT_MS of the apps: a refused certificate fails a start in seconds. */
const CONNECT_TIMEOUT_MS = 5_000; // milliseconds

async function main({ once, certTtlSeconds, cluster, jaeger }: EstateArguments): Promise<number> {
  const replicas = cluster ? 2 : 1; // --cluster: two of every service on three broker nodes
  // The report is this process's whole output; the apps log to their files. Nest's own logger
  // (the walkthrough's NATS client in attack 2) would interleave with it.
  Logger.overrideLogger(false);
  const layout = estateLayout(ROOT, process.env);
  const shown = (dir: string): string => relative(process.cwd(), dir) || '.';
  const report = new WalkthroughReport();
  const apps: AppProcess[] = [];
  let fabric: DevFabric | undefined;
  let traces: TraceViewer | undefined;
  const stopAll = async (): Promise<void> => {
    await Promise.allSettled(apps.map((app) => app.stop()));
    await fabric?.stop();
    await traces?.stop();
  };
  process.once('exit', () => apps.forEach((app) => app.killNow()));
  try {
    await mkdir(join(layout.stateDir, 'logs'), { recursive: true, mode: 0o700 });
    report.heading(`Estate PKI and NATS (${shown(layout.certsDir)}: generated, keys 0600, never committed)`);
    const started = await report.run(`CA, one ${certTtlSeconds} s certificate per workload (one SPIFFE ID each, renewed at half-life), mTLS nats-server, JetStream as the operator`, async () => {
      fabric = await startDevFabric({ purpose: 'estate', connectTimeoutMs: CONNECT_TIMEOUT_MS, certsDir: layout.certsDir, rotation: { leafTtlSeconds: certTtlSeconds }, cluster });
      const { supervisor, renewer } = fabric;
      const leaves = Object.entries(renewer!.status().leaves).map(([name, leaf]) => `${name.padEnd(10)} until ${leaf.notAfter?.toISOString() ?? '?'}`);
      return [
        // One line for people and scripts alike: which broker runs, and where it came from.
        `nats-server v${supervisor.version} (${supervisor.binarySource}; TLS 1.3 only, pinned client keys: ${renewer!.pinsFile})`,
        ...(fabric.cluster === undefined ? [] : [`cluster "${fabric.cluster.name}": ${fabric.cluster.nodes.length} nodes, routes over mutual TLS (route identity only), JetStream assets at R3`]),
        `NATS_URL=${fabric.url}`,
        ...leaves,
      ].join('\n');
    });
    if (!started || fabric === undefined) return 1;
    const natsUrl = fabric.url;

    report.heading('Traces (OpenTelemetry, SECURITY.md O1-O4)');
    const tracing = await report.run('where every app sends its spans and metrics (OTLP/HTTP)', async () => {
      traces = await startTraceViewer({ jaeger, root: ROOT, logFile: join(layout.stateDir, 'logs', 'jaeger.log'), notify: (line) => report.info(line) });
      return traces.description;
    });
    if (!tracing || traces === undefined) return 1;
    const otel = traces.env;

    report.heading(`The apps (logs in ${shown(join(layout.stateDir, 'logs'))})`);
    for (const estateSpec of estateApps(layout, natsUrl, { replicas })) {
      // Each app starts the OpenTelemetry SDK from these variables (libs/estate/src/telemetry).
      const spec = { ...estateSpec, env: { ...estateSpec.env, ...otel } };
      const app = new AppProcess(spec);
      apps.push(app);
      const started = await report.run(`${spec.name}`, async () => {
        await app.start();
        return 'url' in spec.ready ? `ready: ${spec.ready.url}` : 'ready';
      });
      if (!started) return 1;
    }

    await runWalkthrough(report, {
      authUrl: `http://localhost:${layout.ports.auth}`,
      edgeUrl: `http://localhost:${layout.ports.edge}`,
      mobileStateDir: join(layout.stateDir, 'mobile'),
      natsUrl,
      certsDir: layout.certsDir,
      renewal: { renewer: fabric.renewer!, apps },
      traces,
      ...(cluster ? { edgeReplicas: edgeReplicaUrls(layout, replicas) } : {}),
    });

    report.heading(report.allPassed ? 'Every step went as expected' : 'Some steps did not go as expected (see above)');
    report.info(`SPA:  http://localhost:${layout.ports.spa}/   (alice / wonderland, demo users only)`);
    report.info(`edge: http://localhost:${layout.ports.edge}/v1/me   /v1/orders   metadata: /.well-known/oauth-protected-resource`);
    report.info(`NATS: ${natsUrl} (mTLS; CERTS_DIR=${layout.certsDir})`);
    report.info(`auth: http://localhost:${layout.ports.auth}/.well-known/openid-configuration`);
    report.info(`traces: ${traces.description}`);
    if (once) return report.allPassed ? 0 : 1;
    report.info('running until Ctrl-C');
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    return report.allPassed ? 0 : 1;
  } catch (error) {
    if (error instanceof NatsServerMissingError) {
      console.error(`\n${error.message}`);
      return 1;
    }
    throw error;
  } finally {
    process.stdout.write('\nstopping the estate...\n');
    await stopAll();
  }
}

function run(argv: readonly string[]): Promise<number> {
  let parsed: EstateArguments | 'help';
  try {
    parsed = parseEstateArguments(argv);
  } catch (error) {
    if (!(error instanceof EstateUsageError)) throw error;
    console.error(`estate: ${error.message}\n\n${ESTATE_USAGE}`);
    return Promise.resolve(2);
  }
  if (parsed === 'help') {
    process.stdout.write(ESTATE_USAGE);
    return Promise.resolve(0);
  }
  return main(parsed);
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('estate:', error instanceof Error ? error.stack : error);
    process.exit(1);
  },
);
