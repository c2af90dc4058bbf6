import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NatsServerMissingError, NatsServerVersionError, unpinnedWarning, type RefusedNatsServer } from './nats-server-errors.js';
import { parseNatsServerVersion, PINNED_NATS_SERVER_VERSION, PROJECT_BIN_DIR } from './nats-server-release.js';

export { NatsServerBuildError, NatsServerMissingError, NatsServerVersionError } from './nats-server-errors.js';

/**
 * Finds a nats-server of the pinned release (SECURITY.md T5), in this order:
 * 1. NATS_SERVER_BIN: an explicit choice, so it is used or refused, never passed over;
 * 2. `<project>/.bin/nats-server`, where ensureNatsServer builds the pinned release;
 * 3. PATH, then the well-known folders (`go install` puts binaries in ~/go/bin by default).
 * Each candidate's `--version` must say the pinned release; any other release is refused
 * (NatsServerVersionError naming the pinned version and the build command) unless
 * NATS_SERVER_ALLOW_UNPINNED=1, which takes it with a loud warning on stderr.
 * Does not build anything: ensure-nats-server.ts does, when this finds nothing suitable.
 */
export type NatsServerSource = 'NATS_SERVER_BIN' | '.bin' | '.bin (built now)' | 'PATH' | 'well-known folder' | 'given';

export interface NatsServerBinary {
  readonly path: string;
  /** e.g. `2.15.3` (no `v`). */
  readonly version: string;
  readonly source: NatsServerSource;
}

export interface FindNatsServerOptions {
  /** Default: process.env (NATS_SERVER_BIN, NATS_SERVER_ALLOW_UNPINNED, PATH, HOME). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The folder holding `.bin/`. Default: the nearest folder above this file with a package.json. */
  readonly projectDir?: string;
  /** Default: DEFAULT_WELL_KNOWN_DIRS plus ~/go/bin. */
  readonly wellKnownDirs?: readonly string[];
  /** Where the unpinned-release warning goes. Default: stderr. */
  readonly warn?: (line: string) => void;
}

/** Folders that are not on every PATH (e.g. /usr/local/sbin for a non-root user). */
export const DEFAULT_WELL_KNOWN_DIRS: readonly string[] = Object.freeze(['/usr/local/bin', '/usr/local/sbin', '/usr/bin', '/usr/sbin']);
/** `--version` answers at once; a busy 2-core machine may still take a few seconds to start it. */
export const DEFAULT_VERSION_TIMEOUT_MS = 10_000; // milliseconds
export const ALLOW_UNPINNED_ENV = 'NATS_SERVER_ALLOW_UNPINNED';

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The project folder: dist/scripts/nats and scripts/nats both lead up to the package.json. */
export function defaultProjectDir(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return process.cwd();
  }
}

export function projectNatsServerPath(projectDir: string = defaultProjectDir()): string {
  return join(projectDir, PROJECT_BIN_DIR, 'nats-server');
}

// A version is asked once per binary file (several supervisors per test file, one process each).
const versions = new Map<string, string | undefined>();

/** What `<path> --version` says (e.g. `2.15.3`), or undefined if it says no version. Throws if it cannot run. */
export function natsServerVersion(path: string): string | undefined {
  const stats = statSync(path);
  const key = `${path}\0${stats.ino}\0${stats.size}\0${stats.mtimeMs}`;
  if (versions.has(key)) return versions.get(key);
  const output = execFileSync(path, ['--version'], { encoding: 'utf8', timeout: DEFAULT_VERSION_TIMEOUT_MS, stdio: ['ignore', 'pipe', 'pipe'] });
  const version = parseNatsServerVersion(output);
  versions.set(key, version);
  return version;
}

function versionOrNone(path: string): string | undefined {
  try {
    return natsServerVersion(path);
  } catch {
    return undefined; // runs but fails, or is no program at all: not a usable nats-server
  }
}

function allowsUnpinned(env: FindNatsServerOptions['env'] & object): boolean {
  return /^(1|true|yes)$/i.test(env[ALLOW_UNPINNED_ENV]?.trim() ?? '');
}

function candidates(options: FindNatsServerOptions, env: NonNullable<FindNatsServerOptions['env']>): Array<{ path: string; source: NatsServerSource }> {
  const onPath = (env['PATH'] ?? '').split(delimiter).filter((dir) => dir !== '');
  const home = env['HOME']?.trim() || homedir();
  const wellKnown = options.wellKnownDirs ?? [...DEFAULT_WELL_KNOWN_DIRS, join(home, 'go', 'bin')];
  return [
    { path: projectNatsServerPath(options.projectDir), source: '.bin' as const },
    ...onPath.map((dir) => ({ path: join(dir, 'nats-server'), source: 'PATH' as const })),
    ...wellKnown.map((dir) => ({ path: join(dir, 'nats-server'), source: 'well-known folder' as const })),
  ];
}

/**
 * The nats-server to run, with its version and where it was found. Throws NatsServerMissingError
 * (nothing executable anywhere), NatsServerVersionError (only other releases), both naming the
 * pinned version and how to build it.
 */
export function locateNatsServer(options: FindNatsServerOptions = {}): NatsServerBinary {
  const env = options.env ?? process.env;
  const warn = options.warn ?? ((line: string) => process.stderr.write(`${line}\n`));
  const unpinnedAllowed = allowsUnpinned(env);
  const accept = (refused: RefusedNatsServer, source: NatsServerSource): NatsServerBinary => {
    warn(unpinnedWarning(refused));
    return { path: refused.path, version: refused.version ?? 'unknown', source };
  };

  const explicit = env['NATS_SERVER_BIN']?.trim();
  if (explicit !== undefined && explicit !== '') {
    if (!executable(explicit)) throw new NatsServerMissingError(`NATS_SERVER_BIN=${explicit} is not an executable file`);
    const version = versionOrNone(explicit);
    if (version === PINNED_NATS_SERVER_VERSION) return { path: explicit, version, source: 'NATS_SERVER_BIN' };
    if (unpinnedAllowed) return accept({ path: explicit, version }, 'NATS_SERVER_BIN');
    throw new NatsServerVersionError([{ path: explicit, version }]);
  }

  const refused: Array<RefusedNatsServer & { source: NatsServerSource }> = [];
  const seen = new Set<string>();
  for (const { path, source } of candidates(options, env)) {
    if (seen.has(path) || !executable(path)) continue;
    seen.add(path);
    const version = versionOrNone(path);
    if (version === PINNED_NATS_SERVER_VERSION) return { path, version, source };
    refused.push({ path, version, source });
  }
  const first = refused[0];
  if (first !== undefined && unpinnedAllowed) return accept(first, first.source);
  if (first !== undefined) throw new NatsServerVersionError(refused);
  throw new NatsServerMissingError(`none in ${PROJECT_BIN_DIR}/, on PATH or in ${(options.wellKnownDirs ?? DEFAULT_WELL_KNOWN_DIRS).join(', ')}`);
}

/** A binary chosen by the caller (supervisor `binary`): described, not checked; whether it runs shows at launch. */
export function givenNatsServer(path: string): NatsServerBinary {
  return { path, version: versionOrNone(path) ?? 'unknown', source: 'given' };
}

/** The path of a suitable nats-server (see locateNatsServer); for callers that only spawn it. */
export function findNatsServer(options: FindNatsServerOptions = {}): string {
  return locateNatsServer(options).path;
}
