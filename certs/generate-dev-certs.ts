import { ensureDevCertificates } from './ensure-dev-certs.js';
import { DEFAULT_CA_VALIDITY_DAYS, DEFAULT_LEAF_VALIDITY_DAYS, type KeyAlgorithm } from './pki.js';

/**
 * `npm run certs`: builds this folder (certs/tsconfig.json) and runs this file from dist/.
 * Environment: CERTS_DIR (default certs/out), CERT_VALIDITY_DAYS (leaves, default 7),
 * CA_VALIDITY_DAYS (default 30), CERT_KEY_ALGORITHM (ES256 or EdDSA, default ES256).
 */
function days(name: string, fallback: number): number {
  const raw = process.env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 1 || value > 825) throw new Error(`${name}: must be a whole number of days from 1 to 825, got "${raw}"`);
  return value;
}

function keyAlgorithm(): KeyAlgorithm {
  const raw = process.env['CERT_KEY_ALGORITHM']?.trim() || 'ES256';
  if (raw !== 'ES256' && raw !== 'EdDSA') throw new Error(`CERT_KEY_ALGORITHM: must be ES256 or EdDSA, got "${raw}"`);
  return raw;
}

async function main(): Promise<void> {
  const dir = process.env['CERTS_DIR']?.trim() || 'certs/out';
  const outcomes = await ensureDevCertificates({
    dir,
    caValidityDays: days('CA_VALIDITY_DAYS', DEFAULT_CA_VALIDITY_DAYS),
    leafValidityDays: days('CERT_VALIDITY_DAYS', DEFAULT_LEAF_VALIDITY_DAYS),
    keyAlgorithm: keyAlgorithm(),
  });
  for (const { name, action, notAfter } of outcomes) {
    console.log(`${name.padEnd(10)} ${action.padEnd(8)} until ${notAfter.toISOString()}`);
  }
  console.log(`certificates in ${dir}/ (keys 0600, git-ignored)`);
}

main().catch((error: unknown) => {
  console.error(`certs: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
