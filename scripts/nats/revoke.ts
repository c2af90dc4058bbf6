import { createHash } from 'node:crypto';
import { connect } from '@nats-io/transport-node';
import { ADMIN_IDENTITY, AuditLog, loadEstateConfig, natsConnectionOptions, stdoutAuditSink } from '#estate';
import { announceRevocation } from './publish-revocation.js';
import { parseRevokeArguments, REVOKE_USAGE } from './revoke-arguments.js';

/**
 * The operator's revocation command (H12), with the admin certificate:
 *
 *   npm run revoke -- --sub user-42                 # an end user, for an hour
 *   npm run revoke -- --jti <token jti> --ttl 120   # one token
 *   npm run revoke -- --cert <x5t#S256>             # a workload certificate (base64url SHA-256 of its DER)
 *
 * Several may be given at once; each is announced on `estate.revocations` and kept in the
 * REVOCATIONS stream, and every service applies it within a second; each is also one audit line
 * (`revocation_published`, SECURITY.md O3) on stdout after its report line. Environment: NATS_URL,
 * CERTS_DIR (holding admin.crt, admin.key, ca.crt) as for every app (libs/estate).
 * `--help`/`-h` prints the usage on stdout and exits 0 without connecting.
 */
async function main(argv: readonly string[]): Promise<void> {
  const parsed = parseRevokeArguments(argv);
  if (parsed.help === true) {
    process.stdout.write(REVOKE_USAGE);
    return;
  }
  const { revocations, ttlSeconds } = parsed;
  const config = loadEstateConfig(process.env, ADMIN_IDENTITY);
  const admin = await connect(natsConnectionOptions(config));
  // O3: a privileged action, one audit line each (AUDIT_LOG=off: none); a jti or sub only hashed.
  const audit = new AuditLog('revoke', process.env['AUDIT_LOG']?.trim().toLowerCase() === 'off' ? null : stdoutAuditSink);
  try {
    for (const revocation of revocations) {
      const { event, sequence } = await announceRevocation(admin, { ...revocation, ttlSeconds });
      console.log(`revoked ${event.kind} ${event.value} until ${new Date(event.until * 1000).toISOString()} (REVOCATIONS #${sequence})`);
      audit.record('revocation_published', {
        caller: config.spiffeId,
        revocation_kind: event.kind,
        ...(event.kind === 'cert' ? { thumbprint: event.value } : { revocation_value_hash: createHash('sha256').update(event.value).digest('base64url') }),
        until: event.until,
      });
    }
  } finally {
    await admin.close();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(`revoke: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
