import { afterEach, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { BindingConfigError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import { createRemoteKeySet, type RemoteKeySetOptions } from './remote-key-set.js';
import { createAccessTokenVerifier } from './verify-access-token.js';

// A real issuer on 127.0.0.1: it serves its JWKS and counts every request it receives.
type Route = (request: IncomingMessage, response: ServerResponse) => void;

class LocalIssuer {
  readonly hits = new Map<string, number>();
  readonly routes = new Map<string, Route>();
  private readonly server: Server = createServer((request, response) => {
    const path = request.url ?? '/';
    this.hits.set(path, (this.hits.get(path) ?? 0) + 1);
    const route = this.routes.get(path);
    if (route === undefined) return void response.writeHead(404).end();
    route(request, response);
  });
  origin = '';

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  serveJson(path: string, body: () => unknown, status = 200): void {
    this.routes.set(path, (_, response) => {
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body()));
    });
  }

  hitsOf(path: string): number {
    return this.hits.get(path) ?? 0;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

const ISSUER = 'http://localhost:3001';
const AUDIENCE = 'http://localhost:3000';
const publicKeys: Record<string, JWK> = {};
const privateKeys: Record<string, CryptoKey> = {};

beforeAll(async () => {
  for (const kid of ['2025-a', '2025-b']) {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    publicKeys[kid] = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
    privateKeys[kid] = privateKey;
  }
});

const mint = (kid: string, signingKid = kid): Promise<string> =>
  new SignJWT({ iss: ISSUER, sub: 'user-42', aud: AUDIENCE, jti: randomUUID() })
    .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid })
    .setExpirationTime('5m')
    .sign(privateKeys[signingKid]!);

const unavailable = { type: FailureType.KeySetUnavailable, code: 'temporarily_unavailable', status: 503 };
const badSignature = { type: FailureType.TokenSignature, code: 'invalid_token' };

let issuer: LocalIssuer;
let published: JWK[];

beforeEach(async () => {
  issuer = await new LocalIssuer().start();
  published = [publicKeys['2025-a']!];
  issuer.serveJson('/jwks', () => ({ keys: published }));
});

afterEach(async () => {
  jest.useRealTimers();
  await issuer.stop();
});

/**
 * The wall clock held still, everything else real (timers, sockets): the cooldown (jose's) and the
 * failure backoff read Date.now(), so they pass only when the test moves the clock, however long a
 * busy machine takes between two steps.
 */
function holdWallClock(): { advance(ms: number): void } {
  jest.useFakeTimers({
    doNotFake: ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'],
  });
  return { advance: (ms) => jest.setSystemTime(Date.now() + ms) };
}

function verifierFor(path: string, options: RemoteKeySetOptions = {}) {
  const keys = createRemoteKeySet(`${issuer.origin}${path}`, { allowHttp: true, ...options });
  return createAccessTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, keys });
}

describe('createRemoteKeySet (E18, H8)', () => {
  it('E18: tokens verify against the keys fetched from the JWKS URI, fetched once', async () => {
    const verifier = verifierFor('/jwks');
    await expect(verifier.verify(await mint('2025-a'))).resolves.toMatchObject({ sub: 'user-42' });
    await expect(verifier.verify(await mint('2025-a'))).resolves.toMatchObject({ sub: 'user-42' });
    expect(issuer.hitsOf('/jwks')).toBe(1);
  });

  it('E18: key rotation: a token signed by a new key verifies without a restart, and refetches are rate-limited', async () => {
    const clock = holdWallClock();
    const verifier = verifierFor('/jwks', { cooldownMs: 400 });
    await verifier.verify(await mint('2025-a'));
    expect(issuer.hitsOf('/jwks')).toBe(1);

    published = [publicKeys['2025-a']!, publicKeys['2025-b']!]; // the issuer rotates
    const invented = await Promise.all(Array.from({ length: 20 }, (_, i) => mint(`invented-${i}`, '2025-a')));
    for (const token of invented) await expect(verifier.verify(token)).rejects.toMatchObject(badSignature);
    await expect(verifier.verify(await mint('2025-b'))).rejects.toMatchObject(badSignature);
    expect(issuer.hitsOf('/jwks')).toBe(1); // within the cooldown: no refetch at all

    clock.advance(450);
    await expect(verifier.verify(await mint('2025-b'))).resolves.toMatchObject({ sub: 'user-42' });
    expect(issuer.hitsOf('/jwks')).toBe(2);
    await Promise.all(invented.map((token) => expect(verifier.verify(token)).rejects.toMatchObject(badSignature)));
    await expect(verifier.verify(await mint('2025-a'))).resolves.toMatchObject({ sub: 'user-42' });
    expect(issuer.hitsOf('/jwks')).toBe(2);
  });

  it('E18: a key set answering 500 is KeySetUnavailable (503), backs off, and recovers once fixed', async () => {
    issuer.serveJson('/jwks', () => ({ error: 'down' }), 500);
    const clock = holdWallClock();
    const verifier = verifierFor('/jwks', { failureBackoffMs: 300 });
    const token = await mint('2025-a');
    await expect(verifier.verify(token)).rejects.toMatchObject(unavailable);
    await expect(verifier.verify(token)).rejects.toMatchObject(unavailable);
    expect(issuer.hitsOf('/jwks')).toBe(1); // the second request failed at once, without a fetch

    issuer.serveJson('/jwks', () => ({ keys: published }));
    clock.advance(350);
    await expect(verifier.verify(token)).resolves.toMatchObject({ sub: 'user-42' }); // the failure was not cached
    expect(issuer.hitsOf('/jwks')).toBe(2);
  });

  it('E18: a key set that never answers times out promptly with KeySetUnavailable', async () => {
    issuer.routes.set('/hang', () => undefined);
    const verifier = verifierFor('/hang', { timeoutMs: 200 });
    const started = Date.now();
    await expect(verifier.verify(await mint('2025-a'))).rejects.toMatchObject(unavailable);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('E18: a refused connection, a redirect, or a body that is not a JWKS is KeySetUnavailable', async () => {
    issuer.routes.set('/redirect', (_, response) => void response.writeHead(302, { location: '/jwks' }).end());
    issuer.routes.set('/html', (_, response) => void response.writeHead(200, { 'content-type': 'text/html' }).end('<html>'));
    issuer.serveJson('/private', () => ({ keys: [{ ...publicKeys['2025-a'], d: 'AAAA' }] }));
    for (const path of ['/redirect', '/html', '/private']) {
      await expect(verifierFor(path).verify(await mint('2025-a'))).rejects.toMatchObject(unavailable);
    }
    expect(issuer.hitsOf('/jwks')).toBe(0);
    const closed = await new LocalIssuer().start();
    await closed.stop();
    const keys = createRemoteKeySet(`${closed.origin}/jwks`, { allowHttp: true });
    const verifier = createAccessTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, keys });
    await expect(verifier.verify(await mint('2025-a'))).rejects.toMatchObject(unavailable);
  });

  it('E18: misconfiguration throws BindingConfigError: http without allowHttp, bad durations', () => {
    expect(() => createRemoteKeySet(`${issuer.origin}/jwks`)).toThrow(BindingConfigError);
    expect(() => createRemoteKeySet('not a url')).toThrow(BindingConfigError);
    expect(() => createRemoteKeySet('https://issuer.example/jwks', { timeoutMs: 0 })).toThrow(BindingConfigError);
    expect(() => createRemoteKeySet('https://issuer.example/jwks', { cooldownMs: 700_000 })).toThrow(BindingConfigError);
    expect(() => createRemoteKeySet('https://issuer.example/jwks', { failureBackoffMs: 1.5 })).toThrow(BindingConfigError);
    expect(createRemoteKeySet('https://issuer.example/jwks')).toEqual(expect.any(Function));
  });
});
