import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { sha256Base64url } from '../../libs/binding/src/crypto/digest.js';
import { DpopClient } from '../../libs/binding/test-support/dpop-proofs.js';
import { call, type Answer } from '../edge/http-call.js';
import { freePort } from '../../test-support/free-port.js';
import { eventually, HopEstate, ORDERS } from './support/hop-estate.js';
import { PROCESS_HOOK_TIMEOUT_MS } from '../../test-support/hook-timeout.js';

// Issue 4: an outage of NATS, the STS or a service gives the client a prompt 503 with Retry-After,
// never a hang; an internal refusal reaches the client as a generic status with no internal code;
// and the edge without NATS still serves /v1/me, /healthz and its metadata (orders: 503).

/** How long the edge's certificate stays revoked in the test of internal refusals. */
const CERT_REVOCATION_S = 2; // seconds
/** "Prompt": well under the outbound timeout (3 s in these tests), and nowhere near a hang. */
const PROMPT_MS = 1_000;

let estate: HopEstate;
let client: DpopClient;
let edgeUrl: string;

beforeAll(async () => {
  estate = await HopEstate.start();
  client = await DpopClient.create();
  edgeUrl = (await estate.startEdge({ env: { NATS_REQUEST_TIMEOUT_MS: '3000' } })).url;
}, PROCESS_HOOK_TIMEOUT_MS);

afterAll(async () => {
  await estate?.stop();
}, PROCESS_HOOK_TIMEOUT_MS);

async function dpop(base: string, method: 'GET' | 'POST', path: string, sub = 'user-42'): Promise<Answer & { ms: number }> {
  const token = await estate.issuer.mint({ sub, cnf: { jkt: client.jkt } });
  const url = `${base}${path}`;
  const started = Date.now();
  const answer = await call(
    url,
    { Authorization: `DPoP ${token}`, DPoP: await client.proof({ htm: method, htu: url, token }), ...(method === 'POST' ? { 'Content-Type': 'application/json' } : {}) },
    method,
    method === 'POST' ? JSON.stringify({ sku: 'outage', quantity: 1 }) : undefined,
  );
  return { ...answer, ms: Date.now() - started };
}

function expectPromptUnavailable(answer: Answer & { ms: number }): void {
  expect(answer.status).toBe(503);
  expect(answer.headers.get('retry-after')).toBe('1');
  expect(answer.body).toEqual({ statusCode: 503, message: 'orders are temporarily unavailable' });
  expect(answer.ms).toBeLessThan(PROMPT_MS);
}

describe('the edge without NATS (NATS_URL unset)', () => {
  let bare: string;

  beforeAll(async () => {
    bare = (await estate.startEdge({ withNats: false })).url;
  }, PROCESS_HOOK_TIMEOUT_MS);

  it('starts, and serves /healthz, metadata and GET /v1/me', async () => {
    expect((await call(`${bare}/healthz`, {})).status).toBe(200);
    expect((await call(`${bare}/.well-known/oauth-protected-resource`, {})).status).toBe(200);
    const me = await dpop(bare, 'GET', '/v1/me');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ sub: 'user-42', confirmation: 'dpop' });
  });

  it('answers the order routes 503 at once, without Retry-After (retrying will not help)', async () => {
    const answer = await dpop(bare, 'POST', '/v1/orders');
    expect(answer.status).toBe(503);
    expect(answer.headers.get('retry-after')).toBeNull();
    expect(answer.body).toEqual({ statusCode: 503, message: 'orders are not available' });
  });
});

describe('revocation at the door, and internal refusals without internal detail', () => {
  it('H12 at the edge: a user revoked after a first order is refused at the door, 401 invalid_token, /v1/me too', async () => {
    expect((await dpop(edgeUrl, 'POST', '/v1/orders', 'user-soon-revoked')).status).toBe(201);
    await estate.revoke('sub', 'user-soon-revoked');
    await eventually(1_000, async () => (await dpop(edgeUrl, 'GET', '/v1/me', 'user-soon-revoked')).status === 401);
    for (const [method, path] of [['POST', '/v1/orders'], ['GET', '/v1/me']] as const) {
      const answer = await dpop(edgeUrl, method, path, 'user-soon-revoked');
      expect({ status: answer.status, error: answer.body['error'] }).toEqual({ status: 401, error: 'invalid_token' });
    }
    expect((await dpop(edgeUrl, 'GET', '/v1/me', 'user-42')).status).toBe(200);
  });

  it('H12: an edge started after a revocation replays it and refuses the user from its first request', async () => {
    await estate.revoke('sub', 'user-revoked-before');
    const late = (await estate.startEdge({ env: { NATS_REQUEST_TIMEOUT_MS: '3000' } })).url;
    expect((await dpop(late, 'GET', '/v1/me', 'user-42')).status).toBe(200);
    const answer = await dpop(late, 'GET', '/v1/me', 'user-revoked-before');
    expect({ status: answer.status, error: answer.body['error'] }).toEqual({ status: 401, error: 'invalid_token' });
  });

  it('H12: an edge whose broker is down at start-up fails closed: 503 on DPoP routes until the revocations in force are known', async () => {
    const nowhere = `tls://127.0.0.1:${await freePort()}`;
    const blind = (await estate.startEdge({ env: { NATS_URL: nowhere, NATS_REQUEST_TIMEOUT_MS: '3000' }, waitReady: false })).url;
    expect((await call(`${blind}/healthz`, {})).status).toBe(200);
    expect((await call(`${blind}/readyz`, {})).status).toBe(503);
    expect((await call(`${edgeUrl}/readyz`, {})).status).toBe(200);
    const answer = await dpop(blind, 'GET', '/v1/me');
    expect(answer.status).toBe(503);
    expect(JSON.stringify(answer.body)).not.toMatch(/user-42|eyJ/);
  });

  it('the edge\'s own certificate revoked after a first order: 403 with a generic body, at the hop (cached token) and at the STS', async () => {
    expect((await dpop(edgeUrl, 'POST', '/v1/orders')).status).toBe(201);
    const edgeThumbprint = sha256Base64url(new X509Certificate(readFileSync(estate.fabric.files('edge').certFile)).raw);
    await estate.revoke('cert', edgeThumbprint, CERT_REVOCATION_S);
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const answer = await dpop(edgeUrl, 'POST', '/v1/orders');
      expect(answer.status).toBe(403);
      expect(answer.body).toEqual({ statusCode: 403, message: 'the request was refused' });
      expect(JSON.stringify(answer.body)).not.toMatch(/revoked|invalid_grant|invalid_token|spiffe|orders\.create/);
    }
    // The revocation lapses: the tests after this one need the edge's certificate back.
    await eventually((CERT_REVOCATION_S + 3) * 1_000, async () => (await dpop(edgeUrl, 'POST', '/v1/orders')).status === 201);
  }, 20_000);
});

describe('outages: a prompt 503 with Retry-After, never a hang', () => {
  it('baseline: the estate answers', async () => {
    expect((await dpop(edgeUrl, 'POST', '/v1/orders')).status).toBe(201);
  });

  it('inventory down: orders cannot reserve, the edge answers 503 promptly', async () => {
    await estate.close('inventory');
    expectPromptUnavailable(await dpop(edgeUrl, 'POST', '/v1/orders'));
    await estate.restart('inventory');
    expect((await dpop(edgeUrl, 'POST', '/v1/orders')).status).toBe(201);
  });

  it('orders down: 503 promptly (the broker has no responder)', async () => {
    await estate.close('orders');
    expectPromptUnavailable(await dpop(edgeUrl, 'POST', '/v1/orders'));
    await estate.restart('orders');
    expect((await dpop(edgeUrl, 'POST', '/v1/orders')).status).toBe(201);
  });

  it('the STS down: 503 promptly', async () => {
    await estate.close('sts');
    expectPromptUnavailable(await dpop(edgeUrl, 'POST', '/v1/orders', 'user-new-after-sts-outage'));
    await estate.restart('sts');
    expect((await dpop(edgeUrl, 'POST', '/v1/orders', 'user-new-after-sts-outage')).status).toBe(201);
  });

  it('a callee that takes the request and never answers: OutboundUnavailableError (timeout) at the bound, never a hang', async () => {
    const stuck = (await estate.connectAs('orders')).subscribe('orders.stall', { queue: 'orders' });
    await (await estate.connectAs('orders')).flush();
    const outbound = await estate.outboundAs('edge');
    const started = Date.now();
    await expect(outbound.call({ audience: ORDERS, subject: 'orders.stall', payload: {}, subjectToken: await estate.clientToken(), scope: 'orders:read', timeoutMs: 400 }))
      .rejects.toMatchObject({ name: 'OutboundUnavailableError', stage: 'call', reason: 'timeout' });
    expect(Date.now() - started).toBeLessThan(PROMPT_MS);
    stuck.unsubscribe();
  });

  it('NATS down: 503 promptly while /v1/me keeps working; after the broker is back, orders work again', async () => {
    await estate.fabric.supervisor.kill();
    await new Promise((resolve) => setTimeout(resolve, 100)); // the clients notice the closed socket
    expectPromptUnavailable(await dpop(edgeUrl, 'POST', '/v1/orders'));
    expectPromptUnavailable(await dpop(edgeUrl, 'GET', '/v1/orders/00000000-0000-4000-8000-000000000000'));
    expect((await dpop(edgeUrl, 'GET', '/v1/me')).status).toBe(200);
    await estate.fabric.supervisor.restart();
    let answer = await dpop(edgeUrl, 'POST', '/v1/orders');
    for (let attempt = 0; answer.status === 503 && attempt < 50; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      answer = await dpop(edgeUrl, 'POST', '/v1/orders');
    }
    expect(answer.status).toBe(201);
  });
});
