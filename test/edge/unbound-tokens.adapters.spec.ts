import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get, type INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { createHash } from 'node:crypto';
import {
  BindingModule,
  Bound,
  type BoundPrincipal,
  createAccessTokenVerifier,
  createDpopVerifier,
  createRemoteKeySet,
  MemoryReplayStore,
  Principal,
} from '#binding';
import { freePort } from '../../test-support/free-port.js';
import { PROCESS_HOOK_TIMEOUT_MS } from '../../test-support/hook-timeout.js';
import { DpopClient } from '../../libs/binding/test-support/dpop-proofs.js';
import { call } from './http-call.js';
import { TestIssuer } from '../../libs/binding/test-support/test-issuer.js';

// Issue 14 item 9: unbound access tokens from public clients (an authorization server that binds
// only the refresh token). The policy is per route: `refuse` (the default, E5) or
// `accept-as-bearer`. Either way a bound token is never accepted as Bearer (E5 downgrade), a
// certificate-bound one never at the edge (E21), and the DPoP scheme needs a DPoP-bound token.

let handlerRuns = 0;

@Controller('u')
class UnboundProbeController {
  @Get('strict')
  @Bound({ confirmation: 'dpop' })
  strict(@Principal() principal: BoundPrincipal): BoundPrincipal {
    handlerRuns += 1;
    return principal;
  }

  @Get('public')
  @Bound({ confirmation: 'dpop', unboundTokens: 'accept-as-bearer' })
  open(@Principal() principal: BoundPrincipal): BoundPrincipal {
    handlerRuns += 1;
    return principal;
  }
}

const ALGS = 'algs="ES256 EdDSA PS256"';

describe.each(['express', 'fastify'] as const)('unbound tokens per route, BindingGuard on %s', (adapter) => {
  let issuer: TestIssuer;
  let app: INestApplication;
  let client: DpopClient;
  let origin: string;

  beforeAll(async () => {
    const port = await freePort();
    origin = `http://localhost:${port}`;
    issuer = await new TestIssuer(origin).start();
    client = await DpopClient.create();
    const dpop = createDpopVerifier({
      tokenVerifier: createAccessTokenVerifier({ issuer: issuer.issuer, audience: origin, keys: createRemoteKeySet(`${issuer.issuer}/jwks`, { allowHttp: true }) }),
      replayStore: new MemoryReplayStore(),
      origins: [origin],
    });
    @Module({ imports: [BindingModule.forRoot({ dpop })], controllers: [UnboundProbeController] })
    class UnboundProbeModule {}
    app = await NestFactory.create(UnboundProbeModule, adapter === 'express' ? new ExpressAdapter() : new FastifyAdapter(), { logger: false });
    await app.listen(port, '127.0.0.1');
  }, PROCESS_HOOK_TIMEOUT_MS);

  afterAll(async () => {
    await app?.close();
    await issuer?.stop();
  }, PROCESS_HOOK_TIMEOUT_MS);

  /** The answer, and whether the handler ran for it. */
  async function send(path: string, headers: Record<string, string>) {
    const before = handlerRuns;
    const answer = await call(`${origin}${path}`, headers);
    return { ...answer, ran: handlerRuns > before };
  }

  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
  const dpopHeaders = async (path: string, token: string) => ({
    Authorization: `DPoP ${token}`,
    DPoP: await client.proof({ htm: 'GET', htu: `${origin}${path}`, token }),
  });

  it('E5: an unbound token as Bearer on a route that refuses them (the default) is invalid_token with the DPoP challenge only', async () => {
    const answer = await send('/u/strict', bearer(await issuer.mint()));
    expect(answer).toMatchObject({ status: 401, ran: false, body: { error: 'invalid_token' } });
    expect(answer.headers.get('www-authenticate')).toMatch(new RegExp(`^DPoP error="invalid_token", error_description="[^"]+", ${ALGS}$`));
  });

  it('E5: an unbound token as Bearer on an accept-as-bearer route reaches the handler, marked bearer, no thumbprint', async () => {
    const answer = await send('/u/public', bearer(await issuer.mint()));
    expect(answer).toMatchObject({ status: 200, ran: true });
    expect(answer.body).toMatchObject({ subject: 'user-42', confirmation: 'bearer', thumbprint: '' });
  });

  it('E5: a DPoP-bound token as Bearer is a downgrade on either route, and the accept route names both schemes', async () => {
    const bound = await issuer.mint({ cnf: { jkt: client.jkt } });
    for (const path of ['/u/strict', '/u/public']) {
      const answer = await send(path, bearer(bound));
      expect({ path, status: answer.status, ran: answer.ran, error: answer.body['error'] }).toEqual({ path, status: 401, ran: false, error: 'invalid_token' });
    }
    const refused = await send('/u/public', bearer(bound));
    expect(refused.headers.get('www-authenticate')).toMatch(new RegExp(`^DPoP error="invalid_token", error_description="[^"]+", ${ALGS}, Bearer$`));
  });

  it('E21: a certificate-bound token is refused as Bearer and as DPoP on the accept-as-bearer route', async () => {
    const certificateBound = await issuer.mint({ cnf: { 'x5t#S256': createHash('sha256').update('a certificate').digest('base64url') } });
    expect(await send('/u/public', bearer(certificateBound))).toMatchObject({ status: 401, ran: false, body: { error: 'invalid_token' } });
    expect(await send('/u/public', await dpopHeaders('/u/public', certificateBound))).toMatchObject({ status: 401, ran: false, body: { error: 'invalid_token' } });
  });

  it('E5: the DPoP scheme with an unbound token stays invalid_token on the accept-as-bearer route', async () => {
    const unbound = await issuer.mint();
    expect(await send('/u/public', await dpopHeaders('/u/public', unbound))).toMatchObject({ status: 401, ran: false, body: { error: 'invalid_token' } });
  });

  it('E20: a DPoP-bound token with its proof passes on both routes, marked dpop (the legitimate variant)', async () => {
    for (const path of ['/u/strict', '/u/public']) {
      const token = await issuer.mint({ cnf: { jkt: client.jkt } });
      const answer = await send(path, await dpopHeaders(path, token));
      expect({ path, status: answer.status, ran: answer.ran }).toEqual({ path, status: 200, ran: true });
      expect(answer.body).toMatchObject({ confirmation: 'dpop', thumbprint: client.jkt });
    }
  });

  it('E22: without credentials, the accept-as-bearer route challenges with DPoP and Bearer, the strict one with DPoP', async () => {
    const open = await send('/u/public', {});
    expect(open).toMatchObject({ status: 401, ran: false });
    expect(open.headers.get('www-authenticate')).toBe(`DPoP ${ALGS}, Bearer`);
    expect((await send('/u/strict', {})).headers.get('www-authenticate')).toBe(`DPoP ${ALGS}`);
  });
});
