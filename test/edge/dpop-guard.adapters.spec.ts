import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Body, Controller, Get, type INestApplication, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
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
import { DpopClient } from '../../libs/binding/test-support/dpop-proofs.js';
import { freePort } from '../../test-support/free-port.js';
import { call, callWithRawHeaders } from './http-call.js';
import { TestIssuer } from '../../libs/binding/test-support/test-issuer.js';
import { PROCESS_HOOK_TIMEOUT_MS } from '../../test-support/hook-timeout.js';

let handlerRuns = 0;
/** The nonce issuer's own clock, frozen at the start of a step so no test straddles a step. */
const NONCE_STEP_S = 10; // seconds
const NONCE_EPOCH = Math.floor(Date.now() / 1000 / NONCE_STEP_S) * NONCE_STEP_S;
let nonceClockOffset = 0;

@Controller('r')
class ProbeController {
  @Get('me')
  @Bound({ confirmation: 'dpop' })
  me(@Principal() principal: BoundPrincipal): BoundPrincipal {
    handlerRuns += 1;
    return principal;
  }

  @Post('orders')
  @Bound({ confirmation: 'dpop', scopes: ['orders:write'] })
  create(@Principal() principal: BoundPrincipal, @Body() body: unknown): object {
    handlerRuns += 1;
    return { subject: principal.subject, body };
  }
}

/**
 * The one guard inside real Nest applications on both HTTP adapters, driven by real tokens from a
 * real JWKS server and real DPoP proofs over real HTTP. Nothing is mocked.
 */
describe.each(['express', 'fastify'] as const)('BindingGuard on %s', (adapter) => {
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
      tokenVerifier: createAccessTokenVerifier({
        issuer: issuer.issuer,
        audience: origin,
        keys: createRemoteKeySet(`${issuer.issuer}/jwks`, { allowHttp: true }),
      }),
      replayStore: new MemoryReplayStore(),
      origins: [origin],
      nonce: { mode: 'required', secret: 'n'.repeat(43), stepSeconds: NONCE_STEP_S, clock: () => NONCE_EPOCH + nonceClockOffset },
    });
    @Module({ imports: [BindingModule.forRoot({ dpop })], controllers: [ProbeController] })
    class ProbeModule {}
    app = await NestFactory.create(ProbeModule, adapter === 'express' ? new ExpressAdapter() : new FastifyAdapter(), { logger: false });
    await app.listen(port, '127.0.0.1');
  }, PROCESS_HOOK_TIMEOUT_MS);

  afterAll(async () => {
    await app?.close();
    await issuer?.stop();
  }, PROCESS_HOOK_TIMEOUT_MS);

  async function nonceFor(url: string, token: string, method = 'GET'): Promise<string> {
    const first = await call(url, { Authorization: `DPoP ${token}`, DPoP: await client.proof({ htm: method, htu: url, token }) }, method);
    expect(first.body).toMatchObject({ error: 'use_dpop_nonce' });
    return first.headers.get('dpop-nonce') as string;
  }

  it('E20: a bound token and its proof reach the handler with the principal, never the token', async () => {
    const url = `${origin}/r/me`;
    const token = await issuer.mint({ cnf: { jkt: client.jkt } });
    const nonce = await nonceFor(url, token);
    const answer = await call(url, { Authorization: `DPoP ${token}`, DPoP: await client.proof({ htm: 'GET', htu: url, token, nonce }) });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      subject: 'user-42',
      clientId: 'test-client',
      scopes: ['orders:read', 'orders:write'],
      confirmation: 'dpop',
      thumbprint: client.jkt,
      actorChain: [],
      expiresAt: expect.any(Number),
    });
  });

  it('E23: use_dpop_nonce carries exactly one DPoP-Nonce with Cache-Control: no-store', async () => {
    const url = `${origin}/r/me`;
    const token = await issuer.mint({ cnf: { jkt: client.jkt } });
    const answer = await call(url, { Authorization: `DPoP ${token}`, DPoP: await client.proof({ htm: 'GET', htu: url, token }) });
    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toMatch(/^DPoP error="use_dpop_nonce", error_description="[^"]+", algs="ES256 EdDSA PS256"$/);
    expect(answer.headers.get('dpop-nonce')?.split(',')).toHaveLength(1);
    expect(answer.headers.get('cache-control')).toBe('no-store');
  });

  it('E15: a nonce about to expire is still accepted, and the success response rotates it once, not cached', async () => {
    const url = `${origin}/r/me`;
    const token = await issuer.mint({ cnf: { jkt: client.jkt } });
    const nonce = await nonceFor(url, token);
    const fresh = await call(url, { Authorization: `DPoP ${token}`, DPoP: await client.proof({ htm: 'GET', htu: url, token, nonce }) });
    expect(fresh.status).toBe(200);
    expect(fresh.headers.get('dpop-nonce')).toBeNull();
    nonceClockOffset = NONCE_STEP_S; // the nonce is now from the previous step: its last one
    try {
      const aging = await call(url, { Authorization: `DPoP ${token}`, DPoP: await client.proof({ htm: 'GET', htu: url, token, nonce }) });
      expect(aging.status).toBe(200);
      const rotated = aging.headers.get('dpop-nonce');
      expect(rotated).toMatch(/^[A-Za-z0-9_-]{48}$/);
      expect(rotated).not.toBe(nonce);
      expect(aging.headers.get('cache-control')).toBe('no-store');
      const next = await call(url, { Authorization: `DPoP ${token}`, DPoP: await client.proof({ htm: 'GET', htu: url, token, nonce: rotated as string }) });
      expect(next.status).toBe(200);
    } finally {
      nonceClockOffset = 0;
    }
  });

  it('E22: a missing scope is 403 insufficient_scope naming the scope, and the handler never runs', async () => {
    const url = `${origin}/r/orders`;
    const token = await issuer.mint({ cnf: { jkt: client.jkt }, scope: 'orders:read' });
    const nonce = await nonceFor(url, token, 'POST');
    const before = handlerRuns;
    const answer = await call(
      url,
      { Authorization: `DPoP ${token}`, DPoP: await client.proof({ htm: 'POST', htu: url, token, nonce }), 'Content-Type': 'application/json' },
      'POST',
      '{"sku":"tea"}',
    );
    expect(answer.status).toBe(403);
    expect(answer.body).toMatchObject({ error: 'insufficient_scope' });
    expect(answer.headers.get('www-authenticate')).toContain('scope="orders:write"');
    expect(handlerRuns).toBe(before);
  });

  it('E22: the granted scope passes on a POST with a JSON body', async () => {
    const url = `${origin}/r/orders`;
    const token = await issuer.mint({ cnf: { jkt: client.jkt }, scope: 'orders:write' });
    const nonce = await nonceFor(url, token, 'POST');
    const answer = await call(
      url,
      { Authorization: `DPoP ${token}`, DPoP: await client.proof({ htm: 'POST', htu: url, token, nonce }), 'Content-Type': 'application/json' },
      'POST',
      '{"sku":"tea"}',
    );
    expect(answer.status).toBe(201);
    expect(answer.body).toEqual({ subject: 'user-42', body: { sku: 'tea' } });
  });

  it('E2: two Authorization header lines are 400 invalid_request on this adapter too', async () => {
    const url = `${origin}/r/me`;
    const token = await issuer.mint({ cnf: { jkt: client.jkt } });
    const answer = await callWithRawHeaders(url, { Authorization: [`DPoP ${token}`, `DPoP ${token}`], DPoP: await client.proof({ htm: 'GET', htu: url, token }) });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: 'invalid_request' });
  });

  it('E1: a token in the query string is refused, even beside a valid header', async () => {
    const token = await issuer.mint({ cnf: { jkt: client.jkt } });
    const url = `${origin}/r/me`;
    const answer = await call(`${url}?access_token=${token}`, { Authorization: `DPoP ${token}`, DPoP: await client.proof({ htm: 'GET', htu: url, token }) });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: 'invalid_request' });
  });

  it('E2: a token in a form body beside the header is 400 invalid_request', async () => {
    const url = `${origin}/r/orders`;
    const token = await issuer.mint({ cnf: { jkt: client.jkt } });
    const answer = await call(
      url,
      { Authorization: `DPoP ${token}`, DPoP: await client.proof({ htm: 'POST', htu: url, token }), 'Content-Type': 'application/x-www-form-urlencoded' },
      'POST',
      `access_token=${token}`,
    );
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: 'invalid_request' });
  });

  it('E21: a certificate-bound internal token is refused at a DPoP route', async () => {
    const url = `${origin}/r/me`;
    const token = await issuer.mint({ cnf: { 'x5t#S256': 'bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2' } });
    const nonce = await nonceFor(url, token);
    const answer = await call(url, { Authorization: `DPoP ${token}`, DPoP: await client.proof({ htm: 'GET', htu: url, token, nonce }) });
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ error: 'invalid_token' });
  });
});
