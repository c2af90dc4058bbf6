import { describeChange, signalBroker } from './broker-signal.js';
import { CertificateRenewer } from './certificate-renewer.js';
import { RENEW_USAGE, renewSettings } from './renew-settings.js';

/**
 * `node dist/certs/renew.js`: runs a CertificateRenewer on CERTS_DIR until SIGINT/SIGTERM (see
 * RENEW_USAGE). With SIGHUP_PID_FILE, every change sends SIGHUP to that pid, so nats-server
 * reloads its certificate, trust bundle and pins (broker-signal.ts).
 */

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
      console.log(describeChange(change));
      if (pidFile !== undefined) await signalBroker(pidFile, change, (message) => console.error(`renew: ${message}`));
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
