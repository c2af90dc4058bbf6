import { mkdir, rename, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { TestIssuer } from '../test/edge/test-issuer.js';
import { FULL_SETTINGS, QUICK_SETTINGS, type BenchContext } from './harness/bench-context.js';
import { detectPinning, LOAD_CORE, pinProcess } from './harness/cpu-pinning.js';
import { createBenchClients } from './harness/proof-pool.js';
import { ratiosOf, renderMarkdown, TARGETS, type BenchResults } from './harness/results-report.js';
import { profileEdge } from './scenarios/edge-profile.js';
import { measureDpopVerifier, measureEs256Verify } from './scenarios/es256-verify.js';
import { measureTarget, TARGETS as HTTP_TARGETS, type TargetMeasurement, type TargetName } from './scenarios/http-targets.js';
import { measureInvalidBurst } from './scenarios/invalid-burst.js';
import { measureHops } from './scenarios/pending-hop.js';
import { measureReplayStores } from './scenarios/replay-store.js';

/**
 * `npm run bench [-- --quick] [-- --profile]`: every measurement of issue 6 in one run, each
 * server pinned to core 0 and this process (the load generator) to core 1, then
 * bench/results/latest.json and latest.md. Not part of the tests. The edge is profiled when a
 * target is missed in a full run, or always with --profile.
 */
const RESULTS_DIR = fileURLToPath(new URL('../../bench/results/', import.meta.url));
/** Bound clients: the edge's replay store allows 10 000 live claims per key (E17 quota). */
const CLIENTS = 16;

async function main(argv: readonly string[]): Promise<void> {
  const settings = argv.includes('--quick') ? QUICK_SETTINGS : FULL_SETTINGS;
  const pinning = detectPinning();
  pinProcess(pinning, process.pid, LOAD_CORE);
  const started = Date.now();
  const log = (message: string): void => console.log(`[bench +${Math.round((Date.now() - started) / 1000)}s] ${message}`);
  log(`${settings.quick ? 'quick' : 'full'} run; ${pinning.reason}`);

  const audience = 'https://bench.estate.test';
  const issuer = await new TestIssuer(audience).start();
  try {
    const context: BenchContext = { settings, pinning, issuer, audience, clients: await createBenchClients(issuer, CLIENTS), log };

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

    const hop = await measureHops();
    const ratios = ratiosOf(http, es256Verify, dpopVerifier, replayStore);
    const targets = {
      edge_vs_peer: { target: TARGETS.edge_vs_peer, met: ratios.edge_vs_peer >= TARGETS.edge_vs_peer },
      edge_vs_es256_verify: { target: TARGETS.edge_vs_es256_verify, met: ratios.edge_vs_es256_verify >= TARGETS.edge_vs_es256_verify },
    };
    const missed = Object.values(targets).some((target) => !target.met);
    let profile: BenchResults['profile'] = null;
    if (argv.includes('--profile') || (missed && !settings.quick)) {
      log('profiling the edge (node --cpu-prof)');
      profile = await profileEdge(context);
    }

    const results: BenchResults = {
      generated_at: new Date().toISOString(),
      mode: settings.quick ? 'quick' : 'full',
      machine: {
        cpus: availableParallelism(),
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
    log(`edge_vs_peer ${ratios.edge_vs_peer} (target ${TARGETS.edge_vs_peer}), edge_vs_es256_verify ${ratios.edge_vs_es256_verify} (target ${TARGETS.edge_vs_es256_verify})`);
    log(`wrote bench/results/latest.json and latest.md`);
  } finally {
    await issuer.stop();
  }
}

async function writeAtomically(path: string, text: string): Promise<void> {
  await writeFile(`${path}.tmp`, text);
  await rename(`${path}.tmp`, path);
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error('bench failed:', error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
