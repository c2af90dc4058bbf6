// Test fixtures for the DPoP specs: real keys, real signatures, real stores. Never imported by
// library code.
import { randomUUID } from 'node:crypto';
import { CompactSign, SignJWT, calculateJwkThumbprint, errors, exportJWK, generateKeyPair, jwtVerify, type CryptoKey, type JWK } from 'jose';
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

/** A DPoP client: a key pair, its public JWK and its RFC 7638 thumbprint. */
export interface ProofClient {
  readonly alg: string;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
  readonly jkt: string;
}

export async function createProofClient(alg: string = 'ES256'): Promise<ProofClient> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  return { alg, privateKey, publicJwk, jkt: await calculateJwkThumbprint(publicJwk) };
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

/** Signs `claims` with the client's key; `header` adds to or replaces `typ`, `alg`, `jwk`. */
export async function signProof(client: ProofClient, claims: Record<string, unknown>, header: Record<string, unknown> = {}): Promise<string> {
  const protectedHeader = { typ: 'dpop+jwt', alg: client.alg, jwk: client.publicJwk, ...header };
  const payload = new TextEncoder().encode(JSON.stringify(claims));
  return new CompactSign(payload).setProtectedHeader(protectedHeader as { alg: string }).sign(client.privateKey);
}

/** A compact JWS built by hand, unsigned (its signature is junk): for checks that run before the signature. */
export function craftProof(header: unknown, claims: unknown = {}, signature: string = 'c2lnbmF0dXJl'): string {
  return `${base64urlJson(header)}.${base64urlJson(claims)}.${signature}`;
}

export function base64urlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** An authorization server in miniature: signs RFC 9068 access tokens, verifies them with jose. */
export interface TokenIssuer {
  readonly verifier: AccessTokenVerifier;
  issue(claims?: Record<string, unknown>, lifetimeSeconds?: number): Promise<string>;
}

export async function createTokenIssuer(clock: Clock, audience: string = ORIGIN): Promise<TokenIssuer> {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const issue = (claims: Record<string, unknown> = {}, lifetimeSeconds: number = 300): Promise<string> =>
    new SignJWT({ client_id: 'spa', scope: 'orders:read', ...claims })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt' })
      .setIssuer(ISSUER)
      .setAudience(audience)
      .setSubject('alice')
      .setIssuedAt(clock())
      .setExpirationTime(clock() + lifetimeSeconds)
      .setJti(randomUUID())
      .sign(privateKey);
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

/** The error `fn` throws, for `expect(...).toMatchObject({ type, code })`; fails if it returns. */
export function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw, but the call returned');
}

/** The reason `promise` rejects with; fails if it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection, but the promise resolved');
}
