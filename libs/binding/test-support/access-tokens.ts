// Test support only (never imported by library code, never packed): RFC 9068 access tokens signed
// with real keys, as the authorization server or the STS would sign them. Node and jose only, so
// the bench compiles it too (bench/tsconfig.json).
import { randomUUID } from 'node:crypto';
import { createLocalJWKSet, SignJWT, type CryptoKey, type JSONWebKeySet, type JWTHeaderParameters, type JWTPayload, type JWTVerifyGetKey, type KeyObject } from 'jose';

/** The claims of a typical user token at `now` (seconds), lasting `lifetimeSeconds`; `claims` overrides them. */
export function accessTokenClaims(now: number, lifetimeSeconds: number, claims: JWTPayload = {}): JWTPayload {
  return { sub: 'user-42', iat: now, exp: now + lifetimeSeconds, jti: randomUUID(), ...claims };
}

/**
 * `claims` signed as a JWT access token (RFC 9068 §2.1: `typ` at+jwt), ES256 unless `header`
 * says otherwise; `header` also sets `kid` or a wrong `typ` for a negative test.
 */
export function signAccessToken(privateKey: CryptoKey | KeyObject, claims: JWTPayload, header: Partial<JWTHeaderParameters> = {}): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', ...header }).sign(privateKey);
}

/** The real local key set over `jwks`, counting how often a full token check reaches for a key. */
export function countingKeySet(jwks: JSONWebKeySet): JWTVerifyGetKey & { calls: number } {
  const local = createLocalJWKSet(jwks);
  const keys = Object.assign((header: Parameters<JWTVerifyGetKey>[0], token: Parameters<JWTVerifyGetKey>[1]) => {
    keys.calls += 1;
    return local(header, token);
  }, { calls: 0 });
  return keys;
}
