import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { distPath, round, type BenchContext } from '../harness/bench-context.js';
import { summarizeCpuProfile, type ProfileSummary } from '../harness/cpu-profile-summary.js';
import type { HopEstate } from '../harness/hop-estate.js';
import { runInFlight } from '../harness/in-flight-loop.js';
import { hopBenchPayload } from '../servers/hop-bench-subjects.js';

export interface HopProfile {
  readonly requestsPerSecondWhileProfiled: number;
  readonly profiledSeconds: number;
  /** The receiver (server core): guard, Nest, NATS client, jose. */
  readonly receiver: ProfileSummary;
  /** The caller, this process (load core): outbound client, signing, Nest client, NATS client. */
  readonly caller: ProfileSummary;
  readonly note: string;
}

/**
 * Where a hop's time goes, on both ends of one measured run of hops: a fresh receiver under
 * `node --cpu-prof` (ended with SIGUSR2, bench/servers/exit-on-signal.ts, so the profile is
 * written) and this process, the caller, under the inspector's profiler for the run alone. Both
 * profilers cost a few percent, so the rate while profiled is a little below the measured one.
 */
export async function profileHop(context: BenchContext, estate: HopEstate): Promise<HopProfile> {
  const { settings } = context;
  const directory = await mkdtemp(join(tmpdir(), 'hop-cpu-prof-'));
  try {
    const preload = pathToFileURL(distPath('bench/servers/exit-on-signal.js')).href;
    const receiver = await estate.startReceiver(['--cpu-prof', `--cpu-prof-dir=${directory}`, '--import', preload]);
    const payload = hopBenchPayload();
    const send = (): Promise<unknown> => estate.caller.hop(payload);
    let callerProfile: string;
    let run: Awaited<ReturnType<typeof runInFlight>>;
    try {
      await runInFlight(settings.hopInFlight, settings.hopWarmupSeconds, send);
      const session = new Session();
      session.connect();
      try {
        await session.post('Profiler.enable');
        await session.post('Profiler.start');
        run = await runInFlight(settings.hopInFlight, settings.runSeconds, send);
        callerProfile = JSON.stringify((await session.post('Profiler.stop')).profile);
      } finally {
        session.disconnect();
      }
    } finally {
      await receiver.stop('SIGUSR2');
    }
    const [file] = (await readdir(directory)).filter((name) => name.endsWith('.cpuprofile'));
    if (file === undefined) throw new Error('the hop receiver wrote no CPU profile');
    return {
      requestsPerSecondWhileProfiled: run.requestsPerSecond,
      profiledSeconds: round(run.seconds, 2),
      // The measured run only: it ends a moment before the receiver does.
      receiver: summarizeCpuProfile(await readFile(join(directory, file), 'utf8'), run.seconds),
      caller: summarizeCpuProfile(callerProfile),
      note:
        "V8 samples each process's main thread. jose signs and verifies with WebCrypto, whose ECDSA work runs on libuv's thread pool on the same pinned core: it shows as main-thread idle time, or inside jobPromise (node:internal/crypto/util) while it preempts the main thread. The nats-server's own time is in natsServerCpu, not here.",
    };
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}
