import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { TestIssuer } from '../../test/edge/test-issuer.js';
import { detectPinning, LOAD_CORE, pinProcess } from '../harness/cpu-pinning.js';
import { OrderEstate } from '../harness/order-estate.js';
import { SkuPlan } from '../harness/order-requests.js';
import { runPaced, type PacedResult } from '../harness/paced-load.js';
import { createBenchClients } from '../harness/proof-pool.js';
import { checkOrderRoute } from '../scenarios/order-route-checks.js';
import { RssSampler } from './rss-sampler.js';
import { SoakMix } from './soak-mix.js';
import { renderSoakMarkdown, writeSoakResults, type SoakResults } from './soak-report.js';

/**
 * `npm run soak [-- --rate N --seconds S]` (issue 6): the estate of the order-flow bench
 * (bench/harness/order-estate.ts) under a fixed-rate mix for a while, every process's resident
 * memory sampled each second. Exits 1 when any request was not answered 2xx (none is expected:
 * every request is valid) or when a process's RSS grows faster than RSS_BOUND_MB_PER_MIN after
 * the warm-up, which is what an unbounded cache would do; 2 on bad arguments. Writes
 * bench/results/soak.json and soak.md. A script, not a test: it takes a minute and a quiet core.
 */
const RESULTS_DIR = fileURLToPath(new URL('../../../bench/results/', import.meta.url));
const DEFAULT_RATE = 100; // requests per second: about a third of what one core serves of this mix
const DEFAULT_SECONDS = 60; // seconds measured, after the warm-up
const WARMUP_S = 10; // seconds: JIT, exchange caches, keys, V8's heap reaching its working size
/**
 * Megabytes per minute. The legitimate growth after the warm-up is small and levels off: the
 * edge's replay store keeps each jti for the 60 s `iat` window (about 100 B per request) and V8
 * grows its old space towards its working size. 20 MB/min would be a cache keeping some 200 KB
 * per second of requests, far from either.
 */
const RSS_BOUND_MB_PER_MIN = 20;
const CLIENTS = 8; // bound clients, round-robin
const AUDIENCE = 'https://soak.estate.test';

class UsageError extends Error {}

function parseOptions(argv: readonly string[]): { rate: number; seconds: number } {
  const { values } = parseArgs({ args: [...argv], options: { rate: { type: 'string' }, seconds: { type: 'string' } }, strict: true });
  const positive = (name: string, raw: string | undefined, fallback: number, max: number): number => {
    if (raw === undefined) return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > max) throw new UsageError(`--${name} must be an integer from 1 to ${max}, got "${raw}"`);
    return Number(raw);
  };
  return { rate: positive('rate', values.rate, DEFAULT_RATE, 5_000), seconds: positive('seconds', values.seconds, DEFAULT_SECONDS, 3_600) };
}

async function main(argv: readonly string[]): Promise<number> {
  // Ctrl-C exits normally, so the 'exit' hooks of the pinned processes (killOnExit) and the supervisor kill the estate.
  process.once('SIGINT', () => process.exit(130));
  process.once('SIGTERM', () => process.exit(143));
  const { rate, seconds } = parseOptions(argv);
  const cpus = availableParallelism(); // before pinning: afterwards this process sees one core
  const pinning = detectPinning();
  pinProcess(pinning, process.pid, LOAD_CORE);
  const started = Date.now();
  const log = (message: string): void => console.log(`[soak +${Math.round((Date.now() - started) / 1000)}s] ${message}`);
  log(`${rate} req/s for ${seconds} s after a ${WARMUP_S} s warm-up; ${pinning.reason}`);

  const issuer = await new TestIssuer(AUDIENCE).start();
  try {
    const clients = await createBenchClients(issuer, CLIENTS);
    log('starting the estate: nats-server (mTLS, JetStream), sts, inventory, orders, edge');
    const estate = await OrderEstate.start({ pinning, issuer, audience: AUDIENCE });
    try {
      const skus = new SkuPlan();
      const checks = await checkOrderRoute(estate.origin, clients, skus);
      log(`order route answers: tampered proof refused (${checks.tamperedRefused}), valid order reserved (${checks.validReserved}), read back (${checks.readBack})`);
      const sampler = new RssSampler(estate.processes());
      const mix = new SoakMix(clients, estate.origin, skus);
      const paced = (phaseSeconds: number): Promise<PacedResult> =>
        runPaced({ origin: estate.origin, rate, seconds: phaseSeconds, next: () => mix.next(), routeOf: (request) => mix.routeOf(request), onResponse: (request, status, body) => mix.onResponse(request, status, body) });
      let warmup: PacedResult;
      let measured: PacedResult;
      try {
        warmup = await paced(WARMUP_S);
        log(`warm-up: ${warmup.completed} answers, ${warmup.non2xx} non-2xx, ${warmup.errors} errors; measuring`);
        await sampler.startMeasured();
        measured = await paced(seconds);
      } finally {
        await sampler.stop();
      }
      const results = resultsOf({ rate, seconds, cpus, pinning: pinning.reason, warmup, measured, sampler });
      await writeSoakResults(RESULTS_DIR, results);
      console.log(`\n${renderSoakMarkdown(results)}`);
      log('wrote bench/results/soak.json and soak.md');
      return results.verdict.passed ? 0 : 1;
    } catch (error) {
      log(`the soak failed; the estate's output:\n${estate.logs()}`);
      throw error;
    } finally {
      await estate.stop();
    }
  } finally {
    await issuer.stop();
  }
}

function resultsOf(run: { rate: number; seconds: number; cpus: number; pinning: string; warmup: PacedResult; measured: PacedResult; sampler: RssSampler }): SoakResults {
  const { warmup, measured } = run;
  const trends = run.sampler.trends();
  const unexpected = { non2xx: warmup.non2xx + measured.non2xx, errors: warmup.errors + measured.errors, firstError: warmup.firstError ?? measured.firstError };
  const failures: string[] = [];
  if (unexpected.non2xx + unexpected.errors > 0) failures.push(`${unexpected.non2xx} non-2xx answers and ${unexpected.errors} requests without an answer`);
  for (const [name, trend] of Object.entries(trends)) {
    if (trend.slopeMbPerMin > RSS_BOUND_MB_PER_MIN) failures.push(`${name} RSS grew ${trend.slopeMbPerMin} MB/min (bound ${RSS_BOUND_MB_PER_MIN})`);
  }
  return {
    generated_at: new Date().toISOString(),
    machine: { cpus: run.cpus, node: process.version, pinning: run.pinning },
    settings: { rate: run.rate, warmupSeconds: WARMUP_S, seconds: run.seconds, clients: CLIENTS, rssBoundMbPerMin: RSS_BOUND_MB_PER_MIN },
    load: { warmup, measured },
    unexpected,
    memory: { trends, samples: run.sampler.samples },
    verdict: { passed: failures.length === 0, failures },
  };
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError || (error instanceof Error && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))) {
      console.error(`soak: ${error.message}\nusage: npm run soak [-- --rate N --seconds S]`);
      process.exit(2);
    }
    console.error('soak failed:', error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
