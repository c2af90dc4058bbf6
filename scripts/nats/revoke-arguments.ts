import type { RevocationEvent } from '#binding';

type RevocationKind = RevocationEvent['kind'];
import { DEFAULT_REVOCATION_TTL_S } from './publish-revocation.js';

export const REVOKE_USAGE = `usage: npm run revoke -- (--sub <user> | --jti <token id> | --cert <x5t#S256>)... [--ttl <seconds>]
       npm run revoke -- --help | -h

Announces each revocation on estate.revocations (kept in the REVOCATIONS stream) with the admin
certificate; every service applies it within a second (SECURITY.md H12).

options:
  --sub <user>          an end user (the token's sub)
  --jti <token id>      one access token (its jti)
  --cert <x5t#S256>     a certificate: base64url SHA-256 of its DER (leaf, intermediate or CA)
  --ttl <seconds>       how long the revocation holds (default ${DEFAULT_REVOCATION_TTL_S})
  -h, --help            this text

environment: NATS_URL, CERTS_DIR (admin.crt, admin.key, ca.crt), as for every app.
`;

export interface RevokeArguments {
  readonly help?: false;
  readonly revocations: readonly { readonly kind: RevocationKind; readonly value: string }[];
  readonly ttlSeconds: number;
}

/** `--help` or `-h` anywhere: print REVOKE_USAGE on stdout and exit 0, announcing nothing. */
export interface RevokeHelp {
  readonly help: true;
}

/**
 * The command line of `npm run revoke` (see revoke.ts). Throws an Error carrying the usage.
 * `--help`/`-h` is looked for first, so it is never read as the value of another flag's missing
 * argument ("--help needs a value") nor announces anything given beside it.
 */
export function parseRevokeArguments(argv: readonly string[]): RevokeArguments | RevokeHelp {
  if (argv.includes('--help') || argv.includes('-h')) return { help: true };
  const kinds: Readonly<Record<string, RevocationKind>> = { '--sub': 'sub', '--jti': 'jti', '--cert': 'cert' };
  const revocations: { kind: RevocationKind; value: string }[] = [];
  let ttlSeconds = DEFAULT_REVOCATION_TTL_S;
  for (let index = 0; index < argv.length; index += 2) {
    const [flag, value] = [argv[index]!, argv[index + 1]];
    if (flag !== '--ttl' && kinds[flag] === undefined) throw new Error(`unknown option ${flag}\n${REVOKE_USAGE}`);
    if (value === undefined || value.startsWith('--')) throw new Error(`${flag} needs a value\n${REVOKE_USAGE}`);
    if (flag === '--ttl') {
      if (!/^\d+$/.test(value)) throw new Error(`--ttl must be whole seconds\n${REVOKE_USAGE}`);
      ttlSeconds = Number(value);
    } else {
      revocations.push({ kind: kinds[flag]!, value });
    }
  }
  if (revocations.length === 0) throw new Error(REVOKE_USAGE);
  return { revocations, ttlSeconds };
}
