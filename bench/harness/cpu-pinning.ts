import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { availableParallelism } from 'node:os';

/**
 * Servers run on core 0, the load generator (this process) on core 1, so a server never competes
 * with the load it answers. `taskset -a` pins every thread (libuv's pool does the crypto of
 * WebCrypto), so "one core" means one core. Without taskset or a second core, nothing is pinned and
 * the results say so.
 */
export const SERVER_CORE = 0;
export const LOAD_CORE = 1;

export interface Pinning {
  readonly enabled: boolean;
  readonly reason: string;
}

export function detectPinning(): Pinning {
  if (availableParallelism() < 2) return { enabled: false, reason: 'fewer than 2 cores available' };
  try {
    execFileSync('taskset', ['--version'], { stdio: 'ignore' });
  } catch {
    return { enabled: false, reason: 'taskset (util-linux) not found' };
  }
  return { enabled: true, reason: `servers on core ${SERVER_CORE}, load generator on core ${LOAD_CORE}` };
}

/** Pins every thread of a running process (this one, or a server started by someone else). */
export function pinProcess(pinning: Pinning, pid: number, core: number): void {
  if (pinning.enabled) execFileSync('taskset', ['-a', '-p', '-c', String(core), String(pid)], { stdio: 'ignore' });
}

/** Spawns `command args` on `core` (all its threads, inherited from the first). */
export function spawnPinned(pinning: Pinning, core: number, command: string, args: readonly string[], options: SpawnOptions): ChildProcess {
  return pinning.enabled ? spawn('taskset', ['-c', String(core), command, ...args], options) : spawn(command, [...args], options);
}
