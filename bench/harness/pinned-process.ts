import { AppProcess, type AppSpec } from '../../scripts/estate/app-process.js';
import { SERVER_CORE, spawnPinned, type Pinning } from './cpu-pinning.js';

const READY_TIMEOUT_MS = 30_000; // milliseconds; Nest starts slowly on one loaded core
const STOP_GRACE_MS = 10_000; // milliseconds; a profiled process writes its profile first

/** What the bench says of a process under test: the rest is the same for all of them. */
export type PinnedProcessSpec = Pick<AppSpec, 'name' | 'main' | 'nodeOptions' | 'env' | 'ready'>;

/**
 * A process under test (an HTTP target, the STS, a receiver, the order path's services) as the
 * demo and the tests run the estate's apps (scripts/estate/app-process.ts), but pinned to the
 * server core, its output kept in memory only (for error messages; never logged otherwise), and
 * killed if the bench exits without stopping it.
 */
export function startPinnedProcess(pinning: Pinning, spec: PinnedProcessSpec): Promise<AppProcess> {
  return new AppProcess({
    ...spec,
    spawn: (command, args, options) => spawnPinned(pinning, SERVER_CORE, command, args, options),
    stopGraceMs: STOP_GRACE_MS,
    killOnExit: true,
  }).start(READY_TIMEOUT_MS);
}
