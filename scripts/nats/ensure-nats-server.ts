import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isIntegerIn } from '#binding/core';
import { defaultProjectDir, locateNatsServer, natsServerVersion, projectNatsServerPath, type FindNatsServerOptions, type NatsServerBinary } from './find-nats-server.js';
import { NatsServerBuildError, NatsServerMissingError, NatsServerVersionError } from './nats-server-errors.js';
import { PINNED_NATS_SERVER_MODULE_QUERY, PINNED_NATS_SERVER_VERSION, PROJECT_BIN_DIR } from './nats-server-release.js';

/**
 * A nats-server of the pinned release, built when none is found, so that `npm test` and
 * `npm run estate` need no set-up beyond Node and Go:
 * 1. locateNatsServer (NATS_SERVER_BIN, .bin/, PATH, well-known folders);
 * 2. if nothing suitable was found (and NATS_SERVER_BIN was not set: an explicit choice is used or
 *    refused, never replaced), `go install <module>@v<pinned>` into a temporary GOBIN under .bin/,
 *    then an atomic rename to .bin/nats-server, so no one ever runs a half-written binary;
 * 3. one build at a time: a lock file (.bin/.nats-server-build.lock, holding the builder's pid)
 *    makes concurrent callers (jest workers, two terminals) wait for the first build instead of
 *    compiling the same thing on every core. A lock whose process is gone is taken over.
 * Says on stderr that it builds and when it is done. Does not update an existing pinned binary
 * (there is nothing to update: the pin is exact).
 */
export interface EnsureNatsServerOptions extends FindNatsServerOptions {
  /** Where progress goes ("building ...", "built ..."). Default: stderr. */
  readonly notify?: (line: string) => void;
  readonly buildTimeoutMs?: number;
}

/** A first build downloads the module graph and compiles ~25 MB of Go on a shared 2-core machine. */
export const DEFAULT_BUILD_TIMEOUT_MS = 15 * 60_000; // milliseconds
const LOCK_POLL_MS = 500; // milliseconds
/** A lock file still empty after this was left by a process that died between open and write. */
const EMPTY_LOCK_STALE_MS = 10_000; // milliseconds
const OUTPUT_TAIL_CHARS = 4_000;

export async function ensureNatsServer(options: EnsureNatsServerOptions = {}): Promise<NatsServerBinary> {
  const env = options.env ?? process.env;
  let reason: string;
  try {
    return locateNatsServer(options);
  } catch (error) {
    const explicit = (env['NATS_SERVER_BIN']?.trim() ?? '') !== '';
    if (explicit || !(error instanceof NatsServerMissingError || error instanceof NatsServerVersionError)) throw error;
    reason = error instanceof NatsServerVersionError ? `refused ${error.refused.map((entry) => `${entry.path} v${entry.version ?? '?'}`).join(', ')}` : 'none found';
  }
  return buildPinnedNatsServer(options, reason);
}

async function buildPinnedNatsServer(options: EnsureNatsServerOptions, reason: string): Promise<NatsServerBinary> {
  const projectDir = options.projectDir ?? defaultProjectDir();
  const binDir = join(projectDir, PROJECT_BIN_DIR);
  const target = projectNatsServerPath(projectDir);
  const lockPath = join(binDir, '.nats-server-build.lock');
  const notify = options.notify ?? ((line: string) => process.stderr.write(`${line}\n`));
  const deadline = Date.now() + (options.buildTimeoutMs ?? DEFAULT_BUILD_TIMEOUT_MS);
  await mkdir(binDir, { recursive: true });
  let announcedWait = false;
  for (;;) {
    // Someone else may have finished a build meanwhile (or before we took the lock).
    const built = pinnedAt(target);
    if (built !== undefined) return { path: target, version: built, source: '.bin' };
    if (await tryLock(lockPath)) {
      try {
        const again = pinnedAt(target);
        if (again !== undefined) return { path: target, version: again, source: '.bin' };
        notify(`nats-server: no v${PINNED_NATS_SERVER_VERSION} found (${reason}); building it: GOBIN=${binDir} go install ${PINNED_NATS_SERVER_MODULE_QUERY}`);
        const started = Date.now();
        await goInstall(binDir, target, options, deadline);
        notify(`nats-server: built v${PINNED_NATS_SERVER_VERSION} into ${target} in ${Math.round((Date.now() - started) / 1000)} s`);
        return { path: target, version: PINNED_NATS_SERVER_VERSION, source: '.bin (built now)' };
      } finally {
        await rm(lockPath, { force: true });
      }
    }
    if (await staleLock(lockPath)) {
      await rm(lockPath, { force: true });
      continue;
    }
    if (Date.now() > deadline) throw new NatsServerBuildError(`gave up waiting for another build of nats-server (lock ${lockPath}); remove the lock if no build is running`);
    if (!announcedWait) notify(`nats-server: waiting for another process building v${PINNED_NATS_SERVER_VERSION} into ${binDir}`);
    announcedWait = true;
    await sleep(LOCK_POLL_MS);
  }
}

function pinnedAt(path: string): string | undefined {
  try {
    const version = natsServerVersion(path);
    return version === PINNED_NATS_SERVER_VERSION ? version : undefined;
  } catch {
    return undefined;
  }
}

async function tryLock(lockPath: string): Promise<boolean> {
  try {
    const handle = await open(lockPath, 'wx');
    try {
      await handle.writeFile(`${process.pid}\n`);
    } finally {
      await handle.close();
    }
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

async function staleLock(lockPath: string): Promise<boolean> {
  try {
    const pid = Number.parseInt(await readFile(lockPath, 'utf8'), 10);
    if (!isIntegerIn(pid, 1)) return Date.now() - (await stat(lockPath)).mtimeMs > EMPTY_LOCK_STALE_MS;
    process.kill(pid, 0); // throws ESRCH once the builder is gone
    return false;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ESRCH' || code === 'ENOENT';
  }
}

/** `go install` into a fresh GOBIN under .bin/, checked, then renamed over .bin/nats-server. */
async function goInstall(binDir: string, target: string, options: EnsureNatsServerOptions, deadline: number): Promise<void> {
  const gobin = await mkdtemp(join(binDir, '.build-'));
  try {
    const env = { ...(options.env ?? process.env), GOBIN: gobin };
    const output = await run('go', ['install', PINNED_NATS_SERVER_MODULE_QUERY], env, deadline - Date.now());
    const built = join(gobin, 'nats-server');
    const version = pinnedAt(built);
    if (version === undefined) throw new NatsServerBuildError(`go install produced no nats-server v${PINNED_NATS_SERVER_VERSION} in ${gobin}:\n${output}`);
    await rename(built, target);
  } finally {
    await rm(gobin, { recursive: true, force: true });
  }
}

function run(command: string, args: readonly string[], env: Readonly<Record<string, string | undefined>>, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    // Not spawn's own `timeout`: its timer outlives a spawn that failed (no 'exit' after ENOENT).
    const timer = setTimeout(() => child.kill('SIGKILL'), Math.max(timeoutMs, 1));
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        error.code === 'ENOENT'
          ? new NatsServerBuildError(
              `Go is missing: building the pinned nats-server v${PINNED_NATS_SERVER_VERSION} needs Go (1.26 or later, https://go.dev/dl/) on PATH. ` +
                'Install Go, or set NATS_SERVER_BIN to a v' + PINNED_NATS_SERVER_VERSION + ' binary.',
              { cause: error },
            )
          : new NatsServerBuildError(`cannot run ${command}: ${error.message}`, { cause: error }),
      );
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new NatsServerBuildError(`${command} ${args.join(' ')} failed (${signal ?? `exit ${code}`}):\n${output}`));
    });
  });
}
