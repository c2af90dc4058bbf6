import { describe, expect, it } from '@jest/globals';
import { exportJWK, generateKeyPair, jwtVerify, SignJWT, type JWK } from 'jose';
import { BindingConfigError, BindingError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import { createNatsKeySet } from './nats-key-set.js';

// The STS key source over NATS, driven through its one dependency, a `request` function that
// stands for the broker round trip (the real one is exercised in test/hops). Keys are real.

async function signingKey(kid: string): Promise<{ jwk: JWK; sign: (claims: object) => Promise<string> }> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  return { jwk, sign: (claims) => new SignJWT({ ...claims }).setProtectedHeader({ alg: 'ES256', kid, typ: 'at+jwt' }).sign(privateKey) };
}

function broker(answer: () => unknown) {
  const calls: string[] = [];
  return {
    calls,
    connection: {
      request: async (subject: string) => {
        calls.push(subject);
        const value = answer();
        if (value instanceof Error) throw value;
        return { json: () => value } as never;
      },
    },
  };
}

describe('createNatsKeySet (H8: the STS keys over sts.jwks)', () => {
  it('fetches on first use, then serves from the cache', async () => {
    const key = await signingKey('k1');
    const nats = broker(() => ({ keys: [key.jwk] }));
    const keys = createNatsKeySet({ connection: nats.connection, subject: 'sts.jwks' });
    const token = await key.sign({ sub: 'a' });
    await jwtVerify(token, keys);
    await jwtVerify(token, keys);
    expect(nats.calls).toEqual(['sts.jwks']);
  });

  it('an unknown kid refetches once the cooldown has passed (rotation), not before', async () => {
    let now = 1_000_000;
    const first = await signingKey('k1');
    const second = await signingKey('k2');
    let published = [first.jwk];
    const nats = broker(() => ({ keys: published }));
    const keys = createNatsKeySet({ connection: nats.connection, subject: 'sts.jwks', cooldownMs: 5_000, now: () => now });
    await jwtVerify(await first.sign({}), keys);
    published = [second.jwk, first.jwk];
    now += 1_000;
    await expect(jwtVerify(await second.sign({}), keys)).rejects.toThrow(/no applicable key/i);
    expect(nats.calls).toHaveLength(1);
    now += 5_000;
    await expect(jwtVerify(await second.sign({}), keys)).resolves.toBeDefined();
    expect(nats.calls).toHaveLength(2);
  });

  it('a fetch that fails is KeySetUnavailable, and the next ones fail at once during the backoff', async () => {
    let now = 1_000_000;
    const nats = broker(() => new Error('no responders'));
    const keys = createNatsKeySet({ connection: nats.connection, subject: 'sts.jwks', failureBackoffMs: 1_000, now: () => now });
    await expect(keys.reload()).rejects.toMatchObject({ type: FailureType.KeySetUnavailable });
    await expect(keys.reload()).rejects.toBeInstanceOf(BindingError);
    expect(nats.calls).toHaveLength(1);
    now += 1_000;
    await expect(keys.reload()).rejects.toBeInstanceOf(BindingError);
    expect(nats.calls).toHaveLength(2);
  });

  it('a reply that is not a JWKS, or that holds a private key, is refused (KeySetUnavailable)', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    for (const reply of [{ nope: true }, 'text', { keys: [await exportJWK(privateKey)] }]) {
      const keys = createNatsKeySet({ connection: broker(() => reply).connection, subject: 'sts.jwks' });
      await expect(keys.reload()).rejects.toMatchObject({ type: FailureType.KeySetUnavailable });
    }
  });

  it('options are checked at construction', () => {
    const { connection } = broker(() => ({ keys: [] }));
    expect(() => createNatsKeySet({ connection, subject: 'sts.*' })).toThrow(BindingConfigError);
    expect(() => createNatsKeySet({ connection, subject: 'sts.jwks', cooldownMs: 10_000, cacheMaxAgeMs: 5_000 })).toThrow(BindingConfigError);
    expect(() => createNatsKeySet({ connection: {} as never, subject: 'sts.jwks' })).toThrow(BindingConfigError);
  });
});
