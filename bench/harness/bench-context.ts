import { fileURLToPath } from 'node:url';
import type { TestIssuer } from '../../libs/binding/test-support/test-issuer.js';
import type { Pinning } from './cpu-pinning.js';
import type { BenchClient } from './proof-pool.js';

/** How long and how hard each measurement runs: the full run, or `--quick` (same steps, shorter). */
export interface BenchSettings {
  readonly quick: boolean;
  /** Target length of each measured run. */
  readonly runSeconds: number;
  readonly verifyLoopMs: number;
  /** Requests of each warm-up run (JIT, caches, JWKS fetch), for verifying and bare targets. */
  readonly warmupRequests: number;
  readonly bareWarmupRequests: number;
  readonly connections: number;
  readonly memoryClaims: number;
  readonly jetStreamSeconds: number;
  readonly jetStreamInFlight: number;
  /** Requests in flight from the hop bench's caller (issue 6: 64). */
  readonly hopInFlight: number;
  /** Warm-up of each hop-bench target (JIT, exchange cache, STS keys), before its measured run. */
  readonly hopWarmupSeconds: number;
}

export const FULL_SETTINGS: BenchSettings = Object.freeze({
  quick: false,
  runSeconds: 10,
  verifyLoopMs: 8_000,
  warmupRequests: 5_000,
  bareWarmupRequests: 15_000,
  connections: 32,
  memoryClaims: 1_000_000,
  jetStreamSeconds: 8,
  jetStreamInFlight: 64,
  hopInFlight: 64,
  hopWarmupSeconds: 2,
});

export const QUICK_SETTINGS: BenchSettings = Object.freeze({
  ...FULL_SETTINGS,
  quick: true,
  runSeconds: 3,
  verifyLoopMs: 2_500,
  warmupRequests: 1_500,
  bareWarmupRequests: 4_000,
  memoryClaims: 200_000,
  jetStreamSeconds: 3,
  hopWarmupSeconds: 1,
});

/** What every scenario shares: settings, pinning, the issuer and its bound clients. */
export interface BenchContext {
  readonly settings: BenchSettings;
  readonly pinning: Pinning;
  readonly issuer: TestIssuer;
  /** The `aud` of every token, configured on every verifying target. */
  readonly audience: string;
  readonly clients: readonly BenchClient[];
  log(message: string): void;
}

/** A file of the built tree, from dist/bench/harness/. */
export function distPath(relative: string): string {
  return fileURLToPath(new URL(`../../${relative}`, import.meta.url));
}

/** CPU seconds (user + system) a process has used so far, from /proc; undefined elsewhere. */
export async function cpuSecondsOf(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  try {
    const { readFile } = await import('node:fs/promises');
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces), 1-based 14 and 15: utime, stime in ticks.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return ticks / 100; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

export const round = (value: number, digits = 0): number => Number(value.toFixed(digits));
