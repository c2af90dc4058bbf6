import { describe, expect, it } from '@jest/globals';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { BindingError, FailureType, type AccessTokenClaims } from '#binding/core';
import { StsKeyRing } from '../keys/sts-key-ring.js';
import { internalTokenClaims, signInternalToken } from './internal-token.js';

const STS = 'spiffe://estate.local/sts';
const EDGE = 'spiffe://estate.local/edge';
const ORDERS = 'spiffe://estate.local/orders';
const INVENTORY = 'spiffe://estate.local/inventory';
const NOW = 1_800_000_000;
const X5T = 'mKQYrhP_QaHkOn_QGJj0Ofwez6uiVZ7kvd_WyFH0ozU';

const external = Object.freeze({ iss: 'https://auth.example', sub: 'user-42', aud: 'http://localhost:3000', exp: NOW + 300, client_id: 'spa', scope: 'orders:read orders:write', cnf: { jkt: 'abc' } }) as AccessTokenClaims;

function claimsFor(subject: AccessTokenClaims, overrides: Partial<Parameters<typeof internalTokenClaims>[0]> = {}) {
  return internalTokenClaims({
    issuer: STS,
    subject,
    subjectIsInternal: false,
    caller: EDGE,
    callerThumbprint: X5T,
    audience: ORDERS,
    scope: ['orders:write'],
    now: NOW,
    ttlSeconds: 60,
    ...overrides,
  });
}

describe('internal token claims (ARCHITECTURE "Exchange")', () => {
  it('iss the STS, sub the end user, aud the callee, act the caller, cnf the caller certificate, narrowed scope, 60 s', () => {
    const claims = claimsFor(external);
    expect(claims).toEqual({
      iss: STS,
      sub: 'user-42',
      aud: ORDERS,
      iat: NOW,
      exp: NOW + 60,
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
      client_id: 'spa',
      scope: 'orders:write',
      act: { sub: EDGE },
      cnf: { 'x5t#S256': X5T },
    });
  });

  it('RFC 8693 §4.1: exchanging an internal token nests its act under the new caller', () => {
    const received = { ...external, iss: STS, aud: ORDERS, act: { sub: EDGE }, cnf: { 'x5t#S256': 'edge-x5t' } } as AccessTokenClaims;
    const claims = claimsFor(received, { subjectIsInternal: true, caller: ORDERS, audience: INVENTORY });
    expect(claims.act).toEqual({ sub: ORDERS, act: { sub: EDGE } });
    expect(claims.cnf).toEqual({ 'x5t#S256': X5T });
    const third = claimsFor({ ...received, act: claims.act } as AccessTokenClaims, { subjectIsInternal: true, caller: INVENTORY, audience: 'spiffe://estate.local/ledger' });
    expect(third.act).toEqual({ sub: INVENTORY, act: { sub: ORDERS, act: { sub: EDGE } } });
  });

  it('the external issuer\'s own act is not carried in: the chain names estate workloads only', () => {
    expect(claimsFor({ ...external, act: { sub: 'some-app' } } as AccessTokenClaims).act).toEqual({ sub: EDGE });
  });

  it('lifetime capped: never past the subject token\'s exp', () => {
    expect(claimsFor({ ...external, exp: NOW + 20 } as AccessTokenClaims).exp).toBe(NOW + 20);
    expect(claimsFor(external, { ttlSeconds: 30 }).exp).toBe(NOW + 30);
  });

  it('a subject token expiring now yields nothing: TokenExpired', () => {
    expect(() => claimsFor({ ...external, exp: NOW } as AccessTokenClaims)).toThrow(BindingError);
    try {
      claimsFor({ ...external, exp: NOW } as AccessTokenClaims);
    } catch (error) {
      expect(error).toMatchObject({ type: FailureType.TokenExpired });
    }
  });

  it('a fresh jti for every token; no client_id when the subject token has none', () => {
    expect(claimsFor(external).jti).not.toBe(claimsFor(external).jti);
    const { client_id: _, ...withoutClient } = external;
    expect(claimsFor(withoutClient as AccessTokenClaims)).not.toHaveProperty('client_id');
  });

  it('RFC 9068 §2.1: signed at+jwt with the current key, verifiable with the published set', async () => {
    const ring = await StsKeyRing.create(90, () => NOW);
    const token = await signInternalToken(claimsFor(external), ring.current);
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'ES256', typ: 'at+jwt', kid: ring.current.kid });
    const { payload } = await jwtVerify(token, createLocalJWKSet(ring.jwks()), { issuer: STS, audience: ORDERS, typ: 'at+jwt', currentDate: new Date(NOW * 1000) });
    expect(payload.sub).toBe('user-42');
  });
});

describe('STS key ring: rotation without breaking tokens in flight', () => {
  it('publishes the next key before it signs, keeps a retired key for its retention, and only public keys', async () => {
    let now = NOW;
    const ring = await StsKeyRing.create(90, () => now);
    const first = ring.current.kid;
    const [next] = ring.jwks().keys;
    expect(ring.jwks().keys.map((key) => key.kid)).toEqual([next!.kid, first]);
    const before = await signInternalToken(claimsFor(external), ring.current);
    await ring.rotate();
    expect(ring.current.kid).toBe(next!.kid);
    // A verifier holding the set fetched before the rotation already knows the new signing key.
    const oldSet = createLocalJWKSet({ keys: [next!, { ...ring.jwks().keys.find((key) => key.kid === first)! }] });
    const after = await signInternalToken(claimsFor(external), ring.current);
    await expect(jwtVerify(after, oldSet, { currentDate: new Date(NOW * 1000) })).resolves.toBeDefined();
    // The token signed before the rotation still verifies against the new set.
    await expect(jwtVerify(before, createLocalJWKSet(ring.jwks()), { currentDate: new Date(NOW * 1000) })).resolves.toBeDefined();
    expect(ring.jwks().keys.every((key) => key.d === undefined && key.kty === 'EC')).toBe(true);
    now += 91;
    await ring.rotate();
    expect(ring.jwks().keys.map((key) => key.kid)).not.toContain(first);
    await expect(ring.verificationKeys({ alg: 'ES256', kid: first }, { payload: '', signature: '' } as never)).rejects.toThrow();
  });
});
