import type { RevocationKind } from '#binding';
import { DEFAULT_REVOCATION_TTL_S } from './publish-revocation.js';

const USAGE = 'usage: revoke (--sub <user> | --jti <token id> | --cert <x5t#S256>)... [--ttl <seconds>]';

export interface RevokeArguments {
  readonly revocations: readonly { readonly kind: RevocationKind; readonly value: string }[];
  readonly ttlSeconds: number;
}

/** The command line of `npm run revoke` (see revoke.ts). Throws an Error carrying the usage. */
export function parseRevokeArguments(argv: readonly string[]): RevokeArguments {
  const kinds: Readonly<Record<string, RevocationKind>> = { '--sub': 'sub', '--jti': 'jti', '--cert': 'cert' };
  const revocations: { kind: RevocationKind; value: string }[] = [];
  let ttlSeconds = DEFAULT_REVOCATION_TTL_S;
  for (let index = 0; index < argv.length; index += 2) {
    const [flag, value] = [argv[index]!, argv[index + 1]];
    if (value === undefined || value.startsWith('--')) throw new Error(`${flag} needs a value\n${USAGE}`);
    if (flag === '--ttl') {
      if (!/^\d+$/.test(value)) throw new Error(`--ttl must be whole seconds\n${USAGE}`);
      ttlSeconds = Number(value);
    } else if (kinds[flag] !== undefined) {
      revocations.push({ kind: kinds[flag], value });
    } else {
      throw new Error(`unknown option ${flag}\n${USAGE}`);
    }
  }
  if (revocations.length === 0) throw new Error(USAGE);
  return { revocations, ttlSeconds };
}
