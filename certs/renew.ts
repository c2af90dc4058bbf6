import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CertificateChange } from './certificate-change.js';
import { CertificateRenewer } from './certificate-renewer.js';
import { RENEW_USAGE, renewSettings } from './renew-settings.js';

/**
 * `node dist/certs/renew.js`: runs a CertificateRenewer on CERTS_DIR until SIGINT/SIGTERM (see
 * RENEW_USAGE). With SIGHUP_PID_FILE, every change sends SIGHUP to that pid, so nats-server
 * reloads its certificate, trust bundle and pins.
 */

/**
 * After a pins change the renewer writes the new leaf only once this callback returns: give the
 * broker this long to finish the reload, so the workload's first connection with the new leaf
 * finds its key pinned. A signal has no reply; nats-server reloads in milliseconds.
 */
const PINS_RELOAD_SETTLE_MS = 250; // milliseconds

function describe(change: CertificateChange): string {
  switch (change.kind) {
    case 'leaf':
      return `leaf ${change.name} until ${change.notAfter.toISOString()} x5t#S256 ${change.thumbprint}`;
    case 'bundle':
      return `bundle ${change.reason}: ${change.authorities} CA(s)`;
    case 'pins':
      return `pins ${change.count}`;
  }
}

async function signalPidFile(path: string): Promise<void> {
  const pid = Number((await readFile(path, 'utf8')).trim());
  if (!Number.isInteger(pid) || pid < 2) throw new Error(`${path} holds no pid`);
  process.kill(pid, 'SIGHUP');
}

async function main(): Promise<void> {
  if (process.argv.slice(2).some((argument) => argument === '--help' || argument === '-h')) {
    process.stdout.write(RENEW_USAGE);
    return;
  }
  const settings = renewSettings(process.env);
  const pidFile = settings.sighupPidFile;
  const renewer = new CertificateRenewer({
    ...settings.renewer,
    onChange: async (change) => {
      console.log(describe(change));
      if (pidFile === undefined) return;
      try {
        await signalPidFile(pidFile);
      } catch (error) {
        // The broker may not be up yet: it reads the current files when it starts.
        console.error(`renew: could not SIGHUP the pid in ${pidFile}: ${error instanceof Error ? error.message : String(error)}`);
        return;
      }
      if (change.kind === 'pins') await sleep(PINS_RELOAD_SETTLE_MS);
    },
  });
  await renewer.start();
  console.log(`renewing certificates in ${renewer.dir} (pins: ${renewer.pinsFile})`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await renewer.stop();
}

main().catch((error: unknown) => {
  console.error(`renew: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
