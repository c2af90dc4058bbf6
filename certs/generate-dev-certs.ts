import { CertificateRenewer } from './certificate-renewer.js';
import { RENEW_USAGE, renewSettings } from './renew-settings.js';

/**
 * `npm run certs`: one pass of the certificate renewer over CERTS_DIR (default certs/out), then
 * exit: a CA if there is none, and every leaf that is missing, broken, foreign or past half-life
 * issued again; valid ones kept. The same certificates, the same files and the same settings as
 * `npm run renew` and `npm run estate` (certs/renew-settings.ts: CERT_TTL, CA_TTL, ...), so the
 * three never disagree about a folder. Nothing renews them afterwards: run `npm run renew` (or the
 * estate) for that.
 */
const USAGE = `Usage: npm run certs [-- --help]

One pass of the certificate renewer over CERTS_DIR: issues what is missing or due, keeps what is
valid, writes nats-pins.conf, exits. \`npm run renew\` keeps renewing; its settings apply here too:

${RENEW_USAGE}`;

async function main(argv: readonly string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(USAGE);
    return;
  }
  const renewer = new CertificateRenewer(renewSettings(process.env).renewer);
  await renewer.start();
  await renewer.stop();
  const { leaves } = renewer.status();
  for (const [name, leaf] of Object.entries(leaves)) {
    const detail = leaf.notAfter === undefined ? `FAILED: ${leaf.lastError ?? 'no reason given'}` : `until ${leaf.notAfter.toISOString()} x5t#S256 ${leaf.thumbprint}`;
    console.log(`${name.padEnd(10)} ${detail}`);
  }
  if (Object.values(leaves).some((leaf) => leaf.notAfter === undefined)) {
    process.exitCode = 1;
    return;
  }
  console.log(`certificates in ${renewer.dir}/ (keys 0600, git-ignored)`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(`certs: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
