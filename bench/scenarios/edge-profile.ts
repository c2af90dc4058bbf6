import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { distPath, round, type BenchContext } from '../harness/bench-context.js';
import { summarizeCpuProfile, type ProfileSummary } from '../harness/cpu-profile-summary.js';
import { EDGE_FASTIFY, measuredRun, startTarget } from './http-targets.js';

export interface EdgeProfile extends ProfileSummary {
  readonly target: string;
  readonly requestsPerSecondWhileProfiled: number;
  readonly profiledSeconds: number;
}

/**
 * Runs the edge (Fastify) under `node --cpu-prof` through a warm-up and one measured run, ends it
 * with SIGUSR2 (bench/servers/exit-on-signal.ts: a normal exit, so the profile is written) and
 * summarizes the measured run's samples. The profiler itself costs a few percent. V8 samples the
 * main thread only: WebCrypto's signature checks run on libuv's pool, on the same pinned core, and
 * show as main-thread time in `jobPromise` (node:internal/crypto/util) while they preempt it, or
 * as idle when the main thread has nothing else to do.
 */
export async function profileEdge(context: BenchContext): Promise<EdgeProfile> {
  const directory = await mkdtemp(join(tmpdir(), 'edge-cpu-prof-'));
  try {
    const preload = pathToFileURL(distPath('bench/servers/exit-on-signal.js')).href;
    const server = await startTarget(context, EDGE_FASTIFY, ['--cpu-prof', `--cpu-prof-dir=${directory}`, '--import', preload]);
    let rate = 0;
    let seconds = Number.POSITIVE_INFINITY;
    try {
      const warmup = await measuredRun(context, EDGE_FASTIFY, server, context.settings.warmupRequests);
      const amount = Math.round(Math.min(Math.max(warmup.load.okPerSecond, 100) * context.settings.runSeconds, 80_000));
      const { load } = await measuredRun(context, EDGE_FASTIFY, server, amount);
      rate = load.okPerSecond;
      seconds = load.seconds;
    } finally {
      await server.app.stop('SIGUSR2');
    }
    const [file] = (await readdir(directory)).filter((name) => name.endsWith('.cpuprofile'));
    if (file === undefined) throw new Error('the edge wrote no CPU profile');
    // The measured run only: it ends a moment before the process does.
    const summary = summarizeCpuProfile(await readFile(join(directory, file), 'utf8'), seconds);
    return { target: EDGE_FASTIFY.name, requestsPerSecondWhileProfiled: round(rate), profiledSeconds: round(seconds, 2), ...summary };
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}
