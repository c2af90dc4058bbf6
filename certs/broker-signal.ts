import { isIntegerIn } from '#binding/core';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CertificateChange } from './certificate-change.js';

/**
 * After a pins change the renewer writes the new leaf only once its callback returns: give the
 * broker this long to finish the reload, so the workload's first connection with the new leaf
 * finds its key pinned. A signal has no reply; nats-server reloads in milliseconds.
 */
const PINS_RELOAD_SETTLE_MS = 250; // milliseconds

/** One line per change, for a runner's stdout: names and thumbprints, never key material. */
export function describeChange(change: CertificateChange): string {
  switch (change.kind) {
    case 'leaf':
      return `leaf ${change.name} until ${change.notAfter.toISOString()} x5t#S256 ${change.thumbprint}`;
    case 'bundle':
      return `bundle ${change.reason}: ${change.authorities} CA(s)`;
    case 'pins':
      return `pins ${change.count}`;
  }
}

/**
 * SIGHUP to the pid in `pidFile` (nats-server's `-P` file: it reloads its certificate, trust
 * bundle and pins), then, after a pins change, a short settle. A broker not up yet (no pid file,
 * no process) is reported on stderr and skipped: it reads the current files when it starts.
 */
export async function signalBroker(pidFile: string, change: CertificateChange, log: (message: string) => void = console.error): Promise<void> {
  try {
    const pid = Number((await readFile(pidFile, 'utf8')).trim());
    if (!isIntegerIn(pid, 2)) throw new Error(`${pidFile} holds no pid`);
    process.kill(pid, 'SIGHUP');
  } catch (error) {
    log(`could not SIGHUP the pid in ${pidFile}: ${error instanceof Error ? error.message : String(error)}`);
    return;
  }
  if (change.kind === 'pins') await sleep(PINS_RELOAD_SETTLE_MS);
}
