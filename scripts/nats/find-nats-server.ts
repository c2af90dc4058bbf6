import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Debian puts nats-server in /usr/sbin, which is not on every user's PATH. */
const WELL_KNOWN_DIRS = ['/usr/sbin', '/usr/local/bin', '/usr/local/sbin', '/usr/bin'];

export class NatsServerMissingError extends Error {
  constructor(detail: string) {
    super(
      `nats-server is missing: ${detail}. Install it with \`sudo apt-get install nats-server\` ` +
        '(Debian/Ubuntu; in CI `bash .ci/install-nats`), or download a release from ' +
        'https://github.com/nats-io/nats-server/releases and set NATS_SERVER_BIN to the binary.',
    );
    this.name = 'NatsServerMissingError';
  }
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * The nats-server binary to run: NATS_SERVER_BIN if set (it must then be executable), else the
 * first on PATH, else a well-known system folder. Throws NatsServerMissingError saying where it
 * looked and how to install it.
 */
export function findNatsServer(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const explicit = env['NATS_SERVER_BIN']?.trim();
  if (explicit !== undefined && explicit !== '') {
    if (executable(explicit)) return explicit;
    throw new NatsServerMissingError(`NATS_SERVER_BIN=${explicit} is not an executable file`);
  }
  const dirs = [...(env['PATH'] ?? '').split(delimiter).filter((dir) => dir !== ''), ...WELL_KNOWN_DIRS];
  for (const dir of dirs) {
    const candidate = join(dir, 'nats-server');
    if (executable(candidate)) return candidate;
  }
  throw new NatsServerMissingError(`no executable nats-server on PATH or in ${WELL_KNOWN_DIRS.join(', ')}`);
}
