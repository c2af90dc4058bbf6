import { mkdir, rename, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Logger } from '@nestjs/common';
import { TestIssuer } from '../libs/binding/test-support/test-issuer.js';
import { FULL_SETTINGS, QUICK_SETTINGS, type BenchContext } from './harness/bench-context.js';
import { detectPinning, LOAD_CORE, pinProcess } from './harness/cpu-pinning.js';
import { createBenchClients } from './harness/proof-pool.js';
import { ratiosOf, renderMarkdown, TARGETS, targetsOf, type BenchResults } from './harness/results-report.js';
import { profileEdge } from './scenarios/edge-profile.js';
import { measureDpopVerifier, measureEs256Verify } from './scenarios/es256-verify.js';
import { measureTarget, TARGETS as HTTP_TARGETS, type TargetMeasurement, type TargetName } from './scenarios/http-targets.js';
import { measureInvalidBurst } from './scenarios/invalid-burst.js';
import { measureHopVsPlain, type HopMeasurements } from './scenarios/internal-hop.js';
import { measureOrderFlow } from './scenarios/order-flow.js';
import { measureReplayStores } from './scenarios/replay-store.js';
import { measureClusterOrderFlow, renderClusterOrderFlow } from './scenarios/cluster-order-flow.js';
import { measureTelemetryOverhead, renderTelemetryOverhead } from './scenarios/telemetry-overhead.js';
import { profileTelemetry } from './scenarios/telemetry-profile.js';

/**
 * `npm run bench [-- --quick] [-- --profile]`: every measurement of issue 6 in one run, each
 * server pinned to core 0 and this process (the load generator) to core 1, then
 * bench/results/latest.json and latest.md. Not part of the tests. The edge, and the internal hop,
 * are profiled when their target is missed in a full run, or always with --profile.
 */
const BENCH_USAGE = `usage: npm run bench [-- --quick] [-- --profile] [-- --telemetry]
       npm run bench -- --help | -h

Every measurement of issue 6 in one run: servers pinned to core 0, the load generator to core 1;
writes bench/results/latest.json and latest.md. Takes minutes (a full run about half an hour).

options:
  --quick       shorter runs, fewer connections: a smoke test, not figures to publish
  --profile     profile the edge and the internal hop (node --cpu-prof) even when targets are met
  --cluster     only the order flow on one nats-server beside a three-node cluster at R3 (issue 11):
                writes bench/results/cluster.json and cluster.md (with --quick: shorter runs)
  --telemetry   only the order flow with tracing and metrics off and on (issue 12): writes
                bench/results/telemetry-overhead.json and .md (a full run writes them too);
                with --profile instead: every app under node --cpu-prof off and on, self time
                per order by function, writes bench/results/telemetry-profile.json
                (BENCH_PROFILE_DIR=<folder> keeps the raw .cpuprofile files)
  -h, --help    this text
`;
const OPTIONS = new Set(['--quick', '--profile', '--cluster', '--telemetry']);
const RESULTS_DIR = fileURLToPath(new URL('../../bench/results/', import.meta.url));
/** Bound clients: the edge's replay store allows 10 000 live claims per key (E17 quota). */
const CLIENTS = 16;

async function main(argv: readonly string[]): Promise<void> {
  // Before anything starts: help and a mistyped option must not cost a bench run.
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(BENCH_USAGE);
    return;
  }
  const unknown = argv.find((arg) => !OPTIONS.has(arg));
  if (unknown !== undefined) {
    process.stderr.write(`bench: unknown option ${unknown}\n\n${BENCH_USAGE}`);
    process.exitCode = 64;
    return;
  }
  // Ctrl-C exits normally, so the 'exit' hooks kill the servers and the nats-server started here.
  process.once('SIGINT', () => process.exit(130));
  process.once('SIGTERM', () => process.exit(143));
  // Nest clients in this process (the hop caller's ClientNats) log their connection status.
  Logger.overrideLogger(['error', 'warn']);
  const settings = argv.includes('--quick') ? QUICK_SETTINGS : FULL_SETTINGS;
  const pinning = detectPinning();
  const machineCpus = availableParallelism(); // before pinning: a pinned process sees one
  pinProcess(pinning, process.pid, LOAD_CORE);
  const started = Date.now();
  const log = (message: string): void => console.log(`[bench +${Math.round((Date.now() - started) / 1000)}s] ${message}`);
  log(`${settings.quick ? 'quick' : 'full'} run; ${pinning.reason}`);

  const audience = 'https://bench.estate.test';
  const issuer = await new TestIssuer(audience).start();
  try {
    const context: BenchContext = { settings, pinning, issuer, audience, clients: await createBenchClients(issuer, CLIENTS), log };
    if (argv.includes('--cluster')) {
      await writeClusterOrderFlow(context);
      return;
    }
    if (argv.includes('--telemetry') && argv.includes('--profile')) {
      log('telemetry profile: every app under node --cpu-prof, off and on');
      const profile = await profileTelemetry(context, process.env['BENCH_PROFILE_DIR']);
      await mkdir(RESULTS_DIR, { recursive: true });
      await writeAtomically(`${RESULTS_DIR}telemetry-profile.json`, `${JSON.stringify(profile, null, 2)}\n`);
      log('wrote bench/results/telemetry-profile.json');
      return;
    }
    if (argv.includes('--telemetry')) {
      await writeTelemetryOverhead(context);
      return;
    }

    log('one ES256 verify per core');
    const es256Verify = await measureEs256Verify(context);
    log(`  ${es256Verify.opsPerSecond} verifies/s`);
    log('the DPoP verifier alone, no HTTP');
    const dpopVerifier = await measureDpopVerifier(context);
    log(`  ${dpopVerifier.opsPerSecond} requests/s`);

    const http = {} as Record<TargetName, TargetMeasurement>;
    for (const target of HTTP_TARGETS) {
      log(`GET /v1/me on ${target.name}`);
      http[target.name] = await measureTarget(context, target);
      log(`  ${http[target.name].requestsPerSecond} req/s, p99 ${http[target.name].latencyMs.p99} ms${http[target.name].clean ? '' : ' (NOT all 2xx)'}`);
    }

    log('invalid-proof burst against valid traffic');
    const invalidBurst = await measureInvalidBurst(context);

    log('replay stores');
    const replayStore = await measureReplayStores(context);

    log(`bound internal hop against plain mTLS NATS, ${settings.hopInFlight} in flight`);
    const hopRun = await measureHopVsPlain(context, {
      // As for the edge: a full run that misses the target profiles, and --profile always does.
      profile: (hopRate, plainRate) => argv.includes('--profile') || (!settings.quick && hopRate < TARGETS.hop_vs_plain_nats * plainRate),
    });
    const orderFlow = await measureOrderFlow(context);
    const hop: HopMeasurements = { ...hopRun, order_flow: orderFlow.measurement, order_flow_reason: orderFlow.reason };

    const ratios = ratiosOf(http, es256Verify, dpopVerifier, replayStore, hop);
    const targets = targetsOf(ratios);
    const edgeMissed = !targets.edge_vs_peer.met || !targets.edge_vs_node_es256_verify.met;
    let profile: BenchResults['profile'] = null;
    if (argv.includes('--profile') || (edgeMissed && !settings.quick)) {
      log('profiling the edge (node --cpu-prof)');
      profile = await profileEdge(context);
    }

    const results: BenchResults = {
      generated_at: new Date().toISOString(),
      mode: settings.quick ? 'quick' : 'full',
      machine: {
        cpus: machineCpus,
        cpu_model: cpus()[0]?.model ?? 'unknown',
        node: process.version,
        pinning: pinning.enabled ? `Pinned with taskset: ${pinning.reason}` : `Not pinned: ${pinning.reason}`,
        note: 'A shared machine: other work may run on either core during the bench, so figures are noisy; compare ratios taken in one run rather than absolute numbers across runs.',
      },
      load_generator: {
        tool: 'autocannon (in-process, closed loop, no pipelining)',
        connections: settings.connections,
        proofs: 'every request to a verifying target carries its own pre-signed DPoP proof (unique jti, made before the run in the load process); proofs are cycled for the bare routes, which check nothing',
      },
      es256_verify: es256Verify,
      dpop_verifier_in_process: dpopVerifier,
      http,
      replay_store: replayStore,
      invalid_burst: invalidBurst,
      hop,
      ratios,
      targets,
      profile,
    };
    await mkdir(RESULTS_DIR, { recursive: true });
    await writeAtomically(`${RESULTS_DIR}latest.json`, `${JSON.stringify(results, null, 2)}\n`);
    await writeAtomically(`${RESULTS_DIR}latest.md`, renderMarkdown(results));
    log(Object.entries(targets).map(([name, t]) => `${name} ${ratios[name as keyof typeof targets]} (target ${t.target}${t.met ? '' : ', missed'})`).join(', '));
    log(`wrote bench/results/latest.json and latest.md`);
    await writeTelemetryOverhead(context);
  } finally {
    await issuer.stop();
  }
}

/** Issue 12 §5: the order flow with tracing and metrics off and on; its own results files. */
async function writeTelemetryOverhead(context: BenchContext): Promise<void> {
  const overhead = await measureTelemetryOverhead(context);
  await mkdir(RESULTS_DIR, { recursive: true });
  await writeAtomically(`${RESULTS_DIR}telemetry-overhead.json`, `${JSON.stringify(overhead, null, 2)}\n`);
  await writeAtomically(`${RESULTS_DIR}telemetry-overhead.md`, renderTelemetryOverhead(overhead));
  context.log('wrote bench/results/telemetry-overhead.json and .md');
}

/** Issue 11 §5: the order flow on one nats-server and on a three-node cluster, same run; its own results files. */
async function writeClusterOrderFlow(context: BenchContext): Promise<void> {
  const figures = await measureClusterOrderFlow(context);
  await mkdir(RESULTS_DIR, { recursive: true });
  await writeAtomically(`${RESULTS_DIR}cluster.json`, `${JSON.stringify({ generated_at: new Date().toISOString(), mode: context.settings.quick ? 'quick' : 'full', ...figures }, null, 2)}\n`);
  await writeAtomically(`${RESULTS_DIR}cluster.md`, renderClusterOrderFlow(figures));
  context.log(`replication: ${figures.replication.cpuMsPerOrder} CPU ms per order (brokers ${figures.replication.brokerCpuMsPerOrder}); wrote bench/results/cluster.json and cluster.md`);
}

async function writeAtomically(path: string, text: string): Promise<void> {
  await writeFile(`${path}.tmp`, text);
  await rename(`${path}.tmp`, path);
}

main(process.argv.slice(2)).then(
  () => process.exit(),
  (error: unknown) => {
    console.error('bench failed:', error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
