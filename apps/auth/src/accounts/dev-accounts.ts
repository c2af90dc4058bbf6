/**
 * DEMO ONLY: a fixed list of users with plain-text passwords from AUTH_DEV_USERS, so the demo has
 * someone to log in as. A real deployment replaces this file with its identity store (and the
 * login page with its own authentication); nothing else depends on how accounts are kept.
 *
 * The account id, and so the token `sub`, is the username.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Account } from 'oidc-provider';
import type { DevUser } from '../auth-config.js';

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

export class DevAccounts {
  readonly #passwords: ReadonlyMap<string, Buffer>;

  constructor(users: readonly DevUser[]) {
    this.#passwords = new Map(users.map((user) => [user.username, digest(user.password)]));
  }

  /** The account id for valid credentials, else undefined. */
  verify(username: string, password: string): string | undefined {
    const expected = this.#passwords.get(username);
    // Compare fixed-length digests, and compare even for an unknown user, so that timing tells
    // neither the password's length nor whether the user exists.
    const matches = timingSafeEqual(expected ?? digest(`unknown:${password}`), digest(password));
    return expected !== undefined && matches ? username : undefined;
  }

  /** oidc-provider's findAccount: resolves the account a session, code or token refers to. */
  async findAccount(_ctx: unknown, id: string): Promise<Account | undefined> {
    if (!this.#passwords.has(id)) return undefined;
    return { accountId: id, claims: async () => ({ sub: id }) };
  }
}
