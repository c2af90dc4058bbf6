import { beforeAll, describe, expect, it } from '@jest/globals';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { countingKeySet } from '../../test-support/access-tokens.js';
import { expectBindingError } from '../../test-support/expect-binding-error.js';
import { sha256Base64url } from '../crypto/digest.js';
import { FAILURES, FailureType } from '../errors/failure-type.js';
import { setupVerifier } from '../dpop/dpop-verifier.fixture.js';
import { MapReplayStore } from '../dpop/proof-client.fixture.js';
import { createAccessTokenVerifier } from './verify-access-token.js';
import { verifyPresentedToken } from './verify-presented-token.js';

const NOW = 1_700_000_000; // seconds
const ISSUER = 'https://auth.example.com';
const AUDIENCE = 'https://api.example.com';

let signingKey: CryptoKey;
let jwks: { keys: JWK[] };

beforeAll(async () => {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  signingKey = privateKey;
  jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1' }] };
});

const mint = (jti: string) =>
  new SignJWT({ client_id: 'spa' }).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'k1' })
    .setIssuer(ISSUER).setAudience(AUDIENCE).setSubject('alice').setIssuedAt(NOW).setExpirationTime(NOW + 300).setJti(jti)
    .sign(signingKey);

const countingKeys = () => countingKeySet(jwks);

/** A token verifier whose own dependency fails in a way no check names (a bug, a custom source). */
const faulty = { verify: async (): Promise<never> => { throw new TypeError('cannot read properties of undefined'); } };

describe('verifyPresentedToken: the one call of an access-token verifier (E18, H8)', () => {
  it('E18, H8: a fault that is not a BindingError is CheckFailed, 503 temporarily_unavailable, never the client\'s invalid_token; the cause is kept', async () => {
    const error = await expectBindingError(verifyPresentedToken(faulty, 'a.b.c'), FailureType.CheckFailed, 'temporarily_unavailable');
    expect(error.status).toBe(503);
    expect(error.cause).toBeInstanceOf(TypeError);
    expect(FAILURES[FailureType.CheckFailed]).toEqual({ code: 'temporarily_unavailable', status: 503 });
  });

  it('E18, H8: a verdict on the token (a BindingError) passes as it is; a legitimate token gives its claims', async () => {
    const verifier = createAccessTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, keys: createLocalJWKSet(jwks), clock: () => NOW });
    const token = await mint('t-1');
    await expect(verifyPresentedToken(verifier, token, sha256Base64url(token))).resolves.toMatchObject({ sub: 'alice', jti: 't-1' });
    await expectBindingError(verifyPresentedToken(verifier, `${token}x`), FailureType.TokenSignature, 'invalid_token');
  });

  it('E19, E18: the digest the caller computed for ath keys the verified-token cache: the token is hashed once', async () => {
    const keys = countingKeys();
    const verifier = createAccessTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, keys, clock: () => NOW });
    const token = await mint('t-2');
    await verifyPresentedToken(verifier, token, sha256Base64url(token));
    expect(keys.calls).toBe(1);
    // The public verify(token) hashes the token itself and finds the entry the digest put there.
    await expect(verifier.verify(token)).resolves.toMatchObject({ jti: 't-2' });
    expect(keys.calls).toBe(1);
  });

  it('E18 at the edge: a token verifier\'s fault is 503 CheckFailed (it was 401 TokenMalformed), and burns no jti (E17)', async () => {
    const store = new MapReplayStore();
    const { verifier, send } = await setupVerifier({ tokenVerifier: faulty, replayStore: store });
    const { request } = await send({ jti: 'fault-1' });
    expect((await expectBindingError(verifier.verify(request), FailureType.CheckFailed, 'temporarily_unavailable')).status).toBe(503);
    expect(store.claims.size).toBe(0);
  });
});
