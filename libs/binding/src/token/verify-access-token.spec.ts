import { beforeAll, describe, expect, it } from '@jest/globals';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { countingKeySet } from '../../test-support/access-tokens.js';
import { expectBindingError } from '../../test-support/expect-binding-error.js';
import { BindingConfigError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import type { AccessTokenVerifierOptions } from './access-token-verifier-options.js';
import { createAccessTokenVerifier } from './verify-access-token.js';

const NOW = 1_700_000_000;
const ISSUER = 'http://localhost:3001';
const AUDIENCE = 'http://localhost:3000';
const STS = 'spiffe://estate.local/sts';
const ORDERS = 'spiffe://estate.local/orders';

let issuerKey: CryptoKey;
let stsKey: CryptoKey;
let attackerKey: CryptoKey;
let es384Key: CryptoKey;
let jwks: { keys: JWK[] };

beforeAll(async () => {
  const pairs = await Promise.all([generateKeyPair('ES256'), generateKeyPair('EdDSA'), generateKeyPair('ES256'), generateKeyPair('ES384')]);
  [issuerKey, stsKey, attackerKey, es384Key] = pairs.map((pair) => pair.privateKey);
  const publicJwk = async (index: number, kid: string) => ({ ...(await exportJWK(pairs[index]!.publicKey)), kid });
  jwks = { keys: [await publicJwk(0, 'issuer-1'), await publicJwk(1, 'sts-1'), await publicJwk(3, 'issuer-384')] };
});

interface Mint {
  readonly claims?: Record<string, unknown>;
  readonly header?: Record<string, unknown>;
  readonly key?: CryptoKey;
}

/** A real signed token; `undefined` in `claims` removes a default claim. */
function mint({ claims = {}, header = {}, key = issuerKey }: Mint = {}): Promise<string> {
  const payload: Record<string, unknown> = {
    iss: ISSUER, sub: 'user-42', aud: AUDIENCE, exp: NOW + 300, iat: NOW - 10, jti: 'tok-1',
    client_id: 'spa', scope: 'orders:read', cnf: { jkt: 'bkG3...thumbprint' }, ...claims,
  };
  for (const name of Object.keys(payload)) if (payload[name] === undefined) delete payload[name];
  return new SignJWT(payload).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'issuer-1', ...header } as never).sign(key);
}

const frozenClock = (start: number) => {
  const clock = Object.assign(() => clock.now, { now: start });
  return clock;
};

const countingKeys = () => countingKeySet(jwks);

function verifierWith(options: Partial<AccessTokenVerifierOptions> = {}) {
  return createAccessTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, keys: createLocalJWKSet(jwks), clock: frozenClock(NOW), ...options });
}


describe('createAccessTokenVerifier (E18, H8)', () => {
  it('E18: a token signed by the issuer for this audience verifies; its claims come back deep-frozen', async () => {
    const token = await mint({ claims: { aud: ['http://other', AUDIENCE], act: { sub: 'a', act: { sub: 'b' } } } });
    const claims = await verifierWith().verify(token);
    expect(claims).toMatchObject({ iss: ISSUER, sub: 'user-42', scope: 'orders:read', cnf: { jkt: 'bkG3...thumbprint' } });
    expect(Object.isFrozen(claims) && Object.isFrozen(claims.cnf) && Object.isFrozen(claims.aud) && Object.isFrozen(claims.act?.act)).toBe(true);
    expect(() => ((claims.cnf as Record<string, unknown>).jkt = 'attacker')).toThrow(TypeError);
  });

  it('E18: a token signed by another key under the issuer kid fails TokenSignature', async () => {
    await expectBindingError(verifierWith().verify(await mint({ key: attackerKey })), FailureType.TokenSignature, 'invalid_token');
  });

  it('E18: a token whose payload was altered after signing fails TokenSignature', async () => {
    const [header, , signature] = (await mint()).split('.');
    const forged = Buffer.from(JSON.stringify({ iss: ISSUER, sub: 'admin', aud: AUDIENCE, exp: NOW + 300 })).toString('base64url');
    await expectBindingError(verifierWith().verify(`${header}.${forged}.${signature}`), FailureType.TokenSignature, 'invalid_token');
  });

  it('E18: a token naming a kid the issuer never published fails TokenSignature', async () => {
    await expectBindingError(verifierWith().verify(await mint({ header: { kid: 'unknown' } })), FailureType.TokenSignature, 'invalid_token');
  });

  it('E18: alg none and HS256 are refused; an allowed algorithm outside the list fails TokenAlgorithm', async () => {
    const unsigned = `${Buffer.from('{"alg":"none","typ":"at+jwt"}').toString('base64url')}.${Buffer.from('{}').toString('base64url')}.`;
    await expectBindingError(verifierWith().verify(unsigned), FailureType.TokenMalformed, 'invalid_token');
    const hmac = await new SignJWT({ iss: ISSUER }).setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' }).sign(new Uint8Array(32));
    await expectBindingError(verifierWith().verify(hmac), FailureType.TokenAlgorithm, 'invalid_token');
    const es384 = await mint({ key: es384Key, header: { alg: 'ES384', kid: 'issuer-384' } });
    await expectBindingError(verifierWith().verify(es384), FailureType.TokenAlgorithm, 'invalid_token');
    await expect(verifierWith({ algorithms: ['ES256', 'ES384'] }).verify(es384)).resolves.toMatchObject({ sub: 'user-42' });
  });

  it('E18: iss must equal the configured issuer exactly', async () => {
    await expectBindingError(verifierWith().verify(await mint({ claims: { iss: `${ISSUER}/` } })), FailureType.TokenIssuer, 'invalid_token');
    await expectBindingError(verifierWith().verify(await mint({ claims: { iss: undefined } })), FailureType.TokenIssuer, 'invalid_token');
  });

  it('E18: aud must include this audience', async () => {
    await expectBindingError(verifierWith().verify(await mint({ claims: { aud: 'http://localhost:4000' } })), FailureType.TokenAudience, 'invalid_token');
    await expectBindingError(verifierWith().verify(await mint({ claims: { aud: undefined } })), FailureType.TokenAudience, 'invalid_token');
  });

  it('E18: exp is honoured with the small leeway, and not beyond it', async () => {
    await expect(verifierWith().verify(await mint({ claims: { exp: NOW - 4 } }))).resolves.toMatchObject({ sub: 'user-42' });
    await expectBindingError(verifierWith().verify(await mint({ claims: { exp: NOW - 5 } })), FailureType.TokenExpired, 'invalid_token');
    await expectBindingError(verifierWith().verify(await mint({ claims: { exp: NOW - 3600 } })), FailureType.TokenExpired, 'invalid_token');
  });

  it('E18: nbf is honoured with the small leeway', async () => {
    await expect(verifierWith().verify(await mint({ claims: { nbf: NOW + 5 } }))).resolves.toMatchObject({ sub: 'user-42' });
    await expectBindingError(verifierWith().verify(await mint({ claims: { nbf: NOW + 6 } })), FailureType.TokenExpired, 'invalid_token');
  });

  it('E18: typ is at+jwt, compared as a media type (case-insensitive, application/ prefix optional)', async () => {
    for (const typ of ['at+jwt', 'AT+JWT', 'application/at+jwt', 'Application/AT+JWT']) {
      await expect(verifierWith().verify(await mint({ header: { typ } }))).resolves.toMatchObject({ sub: 'user-42' });
    }
    for (const typ of ['JWT', 'dpop+jwt', 'hop+jwt', 'application/jwt', 'at+jwt+x']) {
      await expectBindingError(verifierWith().verify(await mint({ header: { typ } })), FailureType.TokenType, 'invalid_token');
    }
  });

  it('E18: a missing typ fails when required and passes when accepted-when-present; typ JWT fails in both', async () => {
    const untyped = await mint({ header: { typ: undefined } });
    await expectBindingError(verifierWith().verify(untyped), FailureType.TokenType, 'invalid_token');
    await expect(verifierWith({ typ: 'accepted-when-present' }).verify(untyped)).resolves.toMatchObject({ sub: 'user-42' });
    const idToken = await mint({ header: { typ: 'JWT' } });
    await expectBindingError(verifierWith({ typ: 'accepted-when-present' }).verify(idToken), FailureType.TokenType, 'invalid_token');
  });

  it('E18: claims with the wrong type fail TokenMalformed', async () => {
    const wrong: Record<string, unknown>[] = [
      { sub: 42 }, { sub: '' }, { sub: undefined }, { exp: undefined }, { exp: String(NOW + 300) }, { scope: ['orders:read'] },
      { client_id: 7 }, { cnf: ['jkt'] }, { cnf: 'jkt' }, { act: 'orders' }, { act: { client: 'x' } }, { act: { sub: 'a', act: [] } },
      { aud: [AUDIENCE, 7] },
    ];
    for (const claims of wrong) {
      await expectBindingError(verifierWith().verify(await mint({ claims })), FailureType.TokenMalformed, 'invalid_token');
    }
  });

  it('E18: an actor chain deeper than maxActorDepth fails TokenMalformed; one at the bound passes', async () => {
    const chain = (depth: number): Record<string, unknown> => (depth === 1 ? { sub: 'a1' } : { sub: `a${depth}`, act: chain(depth - 1) });
    await expect(verifierWith({ maxActorDepth: 3 }).verify(await mint({ claims: { act: chain(3) } }))).resolves.toMatchObject({ sub: 'user-42' });
    await expectBindingError(verifierWith({ maxActorDepth: 3 }).verify(await mint({ claims: { act: chain(4) } })), FailureType.TokenMalformed, 'invalid_token');
  });

  it('E18: a JWE, a non-string, an empty or an oversized token fails TokenMalformed before any key lookup', async () => {
    const keys = countingKeys();
    const verifier = verifierWith({ keys, maxTokenLength: 1_000 });
    for (const token of ['a.b.c.d.e', '', 42, 'not a jwt', `${'a'.repeat(600)}.${'b'.repeat(600)}.c`]) {
      await expectBindingError(verifier.verify(token as string), FailureType.TokenMalformed, 'invalid_token');
    }
    expect(keys.calls).toBe(0);
  });

  it('H8: an internal token signed by the STS verifies at the hop; a token from the edge issuer does not', async () => {
    const verifier = verifierWith({ issuer: STS, audience: ORDERS });
    const internal = await mint({
      key: stsKey, header: { alg: 'EdDSA', kid: 'sts-1' },
      claims: { iss: STS, aud: ORDERS, exp: NOW + 60, act: { sub: 'spiffe://estate.local/edge' }, cnf: { 'x5t#S256': 'x5t' } },
    });
    await expect(verifier.verify(internal)).resolves.toMatchObject({ iss: STS, act: { sub: 'spiffe://estate.local/edge' } });
    await expectBindingError(verifier.verify(await mint({ claims: { aud: ORDERS } })), FailureType.TokenIssuer, 'invalid_token');
  });

  it('H8: an STS token minted for another service fails TokenAudience', async () => {
    const verifier = verifierWith({ issuer: STS, audience: ORDERS });
    const forInventory = await mint({ key: stsKey, header: { alg: 'EdDSA', kid: 'sts-1' }, claims: { iss: STS, aud: 'spiffe://estate.local/inventory' } });
    await expectBindingError(verifier.verify(forInventory), FailureType.TokenAudience, 'invalid_token');
  });

  it('E25: failure descriptions name the check, never the token or its claims', async () => {
    const tokens = [await mint({ key: attackerKey }), await mint({ claims: { aud: 'http://evil.example' } }), await mint({ claims: { iss: 'http://evil.example' } })];
    for (const token of tokens) {
      const error = (await verifierWith().verify(token).catch((caught: unknown) => caught)) as Error;
      expect(error).toMatchObject({ name: 'BindingError', code: 'invalid_token' });
      for (const secret of [...token.split('.'), 'evil.example', 'user-42']) expect(error.message).not.toContain(secret);
    }
  });

  it('E18: misconfiguration throws BindingConfigError at construction', () => {
    const keys = createLocalJWKSet({ keys: [] });
    const base = { issuer: ISSUER, audience: AUDIENCE, keys };
    const mistakes: Partial<AccessTokenVerifierOptions>[] = [
      { algorithms: ['HS256'] }, { algorithms: ['none'] }, { algorithms: [] }, { algorithms: ['ES256', 'ES256'] },
      { issuer: '' }, { audience: undefined as never }, { keys: 'https://issuer/jwks' as never },
      { typ: 'optional' as never }, { clockToleranceSeconds: 3600 }, { clockToleranceSeconds: -1 }, { cacheMaxEntries: 1.5 },
    ];
    for (const mistake of mistakes) expect(() => createAccessTokenVerifier({ ...base, ...mistake })).toThrow(BindingConfigError);
  });
});
