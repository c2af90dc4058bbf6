// Test fixtures for the DPoP specs: their frozen clock and origin, proof claims at that instant,
// a token issuer in miniature and Map replay stores. Never imported by library code. Clients,
// proofs and hand-built JWS come from the library's test support (../../test-support/).
import { randomUUID } from 'node:crypto';
import { errors, generateKeyPair, jwtVerify } from 'jose';
import { signAccessToken } from '../../test-support/access-tokens.js';
import { sha256Base64url } from '../crypto/digest.js';
import { BindingError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import type { ReplayStore } from '../replay/replay-store.js';
import type { Clock } from '../time/clock.js';
import type { AccessTokenClaims, AccessTokenVerifier } from '../token/access-token.js';

/** The frozen "now" of every DPoP spec: 2023-11-14T22:13:20Z. */
export const NOW = 1_700_000_000; // seconds
export const ORIGIN = 'https://api.example.com';
export const ISSUER = 'https://auth.example.com';

/** A settable clock: `clock.set(NOW + 30)` moves time; reading it is a plain Clock. */
export interface TestClock extends Clock {
  set(seconds: number): void;
}

export function testClock(start: number = NOW): TestClock {
  let now = start;
  const clock = (() => now) as TestClock;
  clock.set = (seconds: number) => {
    now = seconds;
  };
  return clock;
}

/** Claims of a valid proof for `GET https://api.example.com/orders` at NOW, bound to `token`. */
export function proofClaims(token: string | undefined, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    jti: randomUUID(),
    htm: 'GET',
    htu: `${ORIGIN}/orders`,
    iat: NOW,
    ...(token === undefined ? {} : { ath: sha256Base64url(token) }),
    ...overrides,
  };
}

/** An authorization server in miniature: signs RFC 9068 access tokens, verifies them with jose. */
export interface TokenIssuer {
  readonly verifier: AccessTokenVerifier;
  issue(claims?: Record<string, unknown>, lifetimeSeconds?: number): Promise<string>;
}

export async function createTokenIssuer(clock: Clock, audience: string = ORIGIN): Promise<TokenIssuer> {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  // The fixed claims come last, as before: a spec's `claims` cannot change iss, aud, sub or the times.
  const issue = (claims: Record<string, unknown> = {}, lifetimeSeconds: number = 300): Promise<string> =>
    signAccessToken(privateKey, {
      client_id: 'spa',
      scope: 'orders:read',
      ...claims,
      iss: ISSUER,
      aud: audience,
      sub: 'alice',
      iat: clock(),
      exp: clock() + lifetimeSeconds,
      jti: randomUUID(),
    });
  const verifier: AccessTokenVerifier = {
    async verify(token: string): Promise<AccessTokenClaims> {
      try {
        const { payload } = await jwtVerify(token, publicKey, {
          issuer: ISSUER,
          audience,
          algorithms: ['ES256'],
          typ: 'at+jwt',
          currentDate: new Date(clock() * 1000),
        });
        return payload as AccessTokenClaims;
      } catch (cause) {
        const type = cause instanceof errors.JWTExpired ? FailureType.TokenExpired : FailureType.TokenSignature;
        throw new BindingError(type, 'access token is not valid', { cause });
      }
    },
  };
  return { verifier, issue };
}

/** A claim-once store in a Map, for one test; records each claim's ttl so tests can read it. */
export class MapReplayStore implements ReplayStore {
  readonly claims = new Map<string, number>();

  async claim(scope: string, id: string, ttlSeconds: number): Promise<boolean> {
    const key = `${scope} ${id}`;
    if (this.claims.has(key)) return false;
    this.claims.set(key, ttlSeconds);
    return true;
  }
}

/** A store that cannot decide (unreachable, full): every claim rejects. */
export class UnavailableReplayStore implements ReplayStore {
  async claim(): Promise<boolean> {
    throw new Error('replay store unreachable');
  }
}
