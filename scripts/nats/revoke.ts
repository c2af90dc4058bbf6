import { connect } from '@nats-io/transport-node';
import { ADMIN_IDENTITY, loadEstateConfig, natsConnectionOptions } from '#estate';
import { operatorAuditLog, publishRevocation, type AnnouncedRevocation } from './publish-revocation.js';
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
  const trail = {
    audit: operatorAuditLog(),
    caller: config.spiffeId,
    reported: ({ event, sequence }: AnnouncedRevocation) => console.log(`revoked ${event.kind} ${event.value} until ${new Date(event.until * 1000).toISOString()} (REVOCATIONS #${sequence})`),
  };
  try {
    for (const revocation of revocations) await publishRevocation(admin, { ...revocation, ttlSeconds }, trail);
  } finally {
    await admin.close();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(`revoke: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
