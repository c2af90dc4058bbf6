import { beforeAll, describe, expect, it } from '@jest/globals';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTVerifyGetKey } from 'jose';
import { FailureType } from '../errors/failure-type.js';
import type { AccessTokenVerifierOptions } from './access-token-verifier-options.js';
import { createAccessTokenVerifier } from './verify-access-token.js';

// The cache is observed through the verifier: a hit never reaches for a key, a full check does.
const NOW = 1_700_000_000;
const ISSUER = 'http://localhost:3001';
const AUDIENCE = 'http://localhost:3000';

let signingKey: CryptoKey;
let localKeys: JWTVerifyGetKey;

beforeAll(async () => {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  signingKey = privateKey;
  localKeys = createLocalJWKSet({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1' }] });
});

const mint = (claims: Record<string, unknown> = {}): Promise<string> =>
  new SignJWT({ iss: ISSUER, sub: 'user-42', aud: AUDIENCE, exp: NOW + 60, ...claims })
    .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'k1' })
    .sign(signingKey);

const frozenClock = (start: number) => {
  const clock = Object.assign(() => clock.now, { now: start });
  return clock;
};

/** The real key set, counting how many full checks reach it. */
function setUp(options: Partial<AccessTokenVerifierOptions> = {}) {
  const clock = frozenClock(NOW);
  const keys = Object.assign((...args: Parameters<JWTVerifyGetKey>) => {
    keys.fullChecks += 1;
    return localKeys(...args);
  }, { fullChecks: 0 });
  const verifier = createAccessTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, keys, clock, ...options });
  return { clock, keys, verifier };
}

const expired = { type: FailureType.TokenExpired, code: 'invalid_token' };

describe('verified-token cache (E18)', () => {
  it('E18: a verified token is served from the cache, the same frozen claims, without a second check', async () => {
    const { keys, verifier } = setUp();
    const token = await mint();
    const first = await verifier.verify(token);
    await expect(verifier.verify(token)).resolves.toBe(first);
    expect(keys.fullChecks).toBe(1);
  });

  it('E18: a cached token expires on time: never served from the cache at or past exp', async () => {
    const { clock, keys, verifier } = setUp();
    const token = await mint({ exp: NOW + 60 });
    await verifier.verify(token);
    clock.now = NOW + 59;
    await verifier.verify(token);
    expect(keys.fullChecks).toBe(1);
    clock.now = NOW + 60; // at exp: only the full check, with its leeway, may still accept
    await verifier.verify(token);
    expect(keys.fullChecks).toBe(2);
    clock.now = NOW + 65;
    await expect(verifier.verify(token)).rejects.toMatchObject(expired);
  });

  it('E18: a clock set back before the check misses the cache, so nbf is judged again', async () => {
    const { clock, verifier } = setUp();
    const token = await mint({ nbf: NOW });
    await verifier.verify(token);
    clock.now = NOW - 60;
    await expect(verifier.verify(token)).rejects.toMatchObject(expired);
  });

  it('E18: a long-lived token is re-checked at least every cacheMaxTtlSeconds', async () => {
    const { clock, keys, verifier } = setUp({ cacheMaxTtlSeconds: 30 });
    const token = await mint({ exp: NOW + 3_600 });
    await verifier.verify(token);
    clock.now = NOW + 29;
    await verifier.verify(token);
    clock.now = NOW + 30;
    await verifier.verify(token);
    expect(keys.fullChecks).toBe(2);
  });

  it('E18: failures are not cached, and an altered copy of a cached token is checked in full', async () => {
    const { keys, verifier } = setUp();
    const token = await mint();
    await verifier.verify(token);
    const [header, payload, signature] = token.split('.');
    // The first character of the signature carries six whole bits: a different one always changes
    // the signature (replacing the last two with "AA" left it unchanged one run in 256).
    const altered = `${header}.${payload}.${signature![0] === 'A' ? 'B' : 'A'}${signature!.slice(1)}`;
    await expect(verifier.verify(altered)).rejects.toMatchObject({ type: FailureType.TokenSignature, code: 'invalid_token' });
    await expect(verifier.verify(altered)).rejects.toMatchObject({ type: FailureType.TokenSignature, code: 'invalid_token' });
    expect(keys.fullChecks).toBe(3);
  });

  it('E18: concurrent verifications of one token share a single check', async () => {
    const { keys, verifier } = setUp();
    const token = await mint();
    const results = await Promise.all(Array.from({ length: 10 }, () => verifier.verify(token)));
    expect(new Set(results).size).toBe(1);
    expect(keys.fullChecks).toBe(1);
  });

  it('E18: concurrent verifications of a bad token all fail, and a later one checks again', async () => {
    const { keys, verifier } = setUp();
    const token = await mint({ aud: 'http://elsewhere' });
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => verifier.verify(token)));
    for (const result of results) expect(result).toMatchObject({ status: 'rejected', reason: { type: FailureType.TokenAudience, code: 'invalid_token' } });
    await expect(verifier.verify(token)).rejects.toMatchObject({ type: FailureType.TokenAudience, code: 'invalid_token' });
    expect(keys.fullChecks).toBe(2);
  });

  it('E18: cacheMaxEntries 0 turns the cache off; a bounded cache evicts the least recently used', async () => {
    const off = setUp({ cacheMaxEntries: 0 });
    const token = await mint();
    await off.verifier.verify(token);
    await off.verifier.verify(token);
    expect(off.keys.fullChecks).toBe(2);

    const bounded = setUp({ cacheMaxEntries: 2 });
    const tokens = await Promise.all([mint({ jti: '1' }), mint({ jti: '2' }), mint({ jti: '3' })]);
    for (const each of tokens) await bounded.verifier.verify(each);
    await bounded.verifier.verify(tokens[2]!);
    await bounded.verifier.verify(tokens[0]!);
    expect(bounded.keys.fullChecks).toBe(4);
  });
});
