import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get, type INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { AddressInfo } from 'node:net';
import { request as httpRequest } from 'node:http';
import { signProof } from '../../test-support/dpop-proofs.js';
import { setupVerifier } from '../dpop/dpop-verifier.fixture.js';
import { ORIGIN, proofClaims } from '../dpop/proof-client.fixture.js';
import { BindingModule } from './binding.module.js';
import { Bound } from './bound.decorator.js';
import { type BoundPrincipal, Principal } from './principal.js';
import { revealSubjectToken } from '../token/subject-token.js';

/**
 * E1 regression: parseAuthorization accepts 1*SP between the scheme and the token (RFC 9110
 * §11.4), but the guard cut the subject token after the first space of its own, so after
 * `DPoP  <token>` the verified request reached the handler with ` <token>`, which the STS refused.
 */
let received: string | undefined;

@Controller('r')
class ProbeController {
  @Get('me')
  @Bound({ confirmation: 'dpop' })
  me(@Principal() principal: BoundPrincipal): object {
    received = revealSubjectToken(principal.subjectToken);
    return { subject: principal.subject };
  }
}

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** node:http, because fetch() sets its own Host; the edge's origin is https://api.example.com. */
function get(port: number, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port, path: '/r/me', method: 'GET', headers: { Host: 'api.example.com', ...headers } }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text === '' ? {} : JSON.parse(text) }));
    });
    request.on('error', reject);
    request.end();
  });
}

describe.each(['express', 'fastify'] as const)('E1: the subject token behind `DPoP  <token>` on %s', (adapter) => {
  let app: INestApplication;
  let port: number;
  let setup: Awaited<ReturnType<typeof setupVerifier>>;

  beforeAll(async () => {
    setup = await setupVerifier();
    @Module({ imports: [BindingModule.forRoot({ dpop: setup.verifier })], controllers: [ProbeController] })
    class ProbeModule {}
    app = await NestFactory.create(ProbeModule, adapter === 'express' ? new ExpressAdapter() : new FastifyAdapter(), { logger: false });
    await app.listen(0, '127.0.0.1');
    port = (app.getHttpServer().address() as AddressInfo).port;
  });

  afterAll(async () => {
    await app?.close();
  });

  const proof = () => signProof(setup.client, proofClaims(setup.token, { htu: `${ORIGIN}/r/me` }));

  it('E1: with one space the request is accepted and the handler gets the token exactly', async () => {
    received = undefined;
    const answer = await get(port, { Authorization: `DPoP ${setup.token}`, DPoP: await proof() });
    expect(answer).toEqual({ status: 200, body: { subject: 'alice' } });
    expect(received).toBe(setup.token);
  });

  it('E1: with two spaces after the scheme the request is accepted and the SubjectToken equals the token exactly', async () => {
    received = undefined;
    const answer = await get(port, { Authorization: `DPoP  ${setup.token}`, DPoP: await proof() });
    expect(answer).toEqual({ status: 200, body: { subject: 'alice' } });
    expect(received).toBe(setup.token);
  });

  it('E1: a tab or no space after the scheme is still refused, 400 invalid_request, and the handler never runs', async () => {
    for (const authorization of [`DPoP\t${setup.token}`, `DPoP${setup.token}`]) {
      received = undefined;
      const answer = await get(port, { Authorization: authorization, DPoP: await proof() });
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ error: 'invalid_request' });
      expect(received).toBeUndefined();
    }
  });
});
