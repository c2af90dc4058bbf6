import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { DpopClient } from '../../libs/binding/test-support/dpop-proofs.js';
import { call } from '../edge/http-call.js';
import { JWT_TOKEN_TYPE } from '#binding';
import { exchangeAtSts } from './support/exchange.js';
import { EDGE, HopEstate, INVENTORY, ORDERS } from './support/hop-estate.js';
import { PROCESS_HOOK_TIMEOUT_MS } from '../../test-support/hook-timeout.js';

// Issue 4: the whole hybrid flow with real apps on a real mTLS nats-server. A DPoP client calls the
// edge (RFC 9449), the edge exchanges the client's token at the STS (RFC 8693) for one bound to its
// certificate and calls orders (hop proof); orders exchanges that token again and calls inventory.

let estate: HopEstate;
let edgeUrl: string;
let client: DpopClient;

beforeAll(async () => {
  estate = await HopEstate.start();
  edgeUrl = (await estate.startEdge()).url;
  client = await DpopClient.create();
}, PROCESS_HOOK_TIMEOUT_MS);

afterAll(async () => {
  await estate?.stop();
}, PROCESS_HOOK_TIMEOUT_MS);

async function dpopCall(method: 'GET' | 'POST', path: string, token: string, body?: unknown) {
  const url = `${edgeUrl}${path}`;
  const headers: Record<string, string> = { Authorization: `DPoP ${token}`, DPoP: await client.proof({ htm: method, htu: url, token }) };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  return call(url, headers, method, body === undefined ? undefined : JSON.stringify(body));
}

async function userToken(sub = 'user-42', scope = 'orders:read orders:write'): Promise<string> {
  return estate.issuer.mint({ sub, scope, cnf: { jkt: client.jkt } });
}

describe('the hybrid flow: DPoP client -> edge -> sts -> orders -> sts -> inventory', () => {
  let orderId: string;

  it('POST /v1/orders places an order on behalf of the end user, through two exchanged hops', async () => {
    const token = await userToken();
    const answer = await dpopCall('POST', '/v1/orders', token, { sku: 'tea', quantity: 2 });
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({
      owner: 'user-42',
      sku: 'tea',
      quantity: 2,
      status: 'reserved',
      // orders saw the edge as the actor; inventory saw orders, acting for the edge (nested act).
      placedVia: [EDGE],
      // Inventory's reservation, one level deep (issue 14: no reservation.reservation), no stock figure.
      reservation: { orderId: expect.any(String), sku: 'tea', quantity: 2, subject: 'user-42', via: [ORDERS, EDGE], reservedAt: expect.any(String) },
    });
    expect(answer.body['reservation']).toEqual({ orderId: answer.body['id'], sku: 'tea', quantity: 2, subject: 'user-42', via: [ORDERS, EDGE], reservedAt: expect.any(String) });
    orderId = answer.body['id'] as string;
    // Nothing of a token travels back to the client.
    expect(JSON.stringify(answer.body)).not.toContain(token.split('.')[1]!);
    expect(JSON.stringify(answer.body)).not.toMatch(/eyJ/);
  });

  it('GET /v1/orders/:id reads it back, for its owner only', async () => {
    const mine = await dpopCall('GET', `/v1/orders/${orderId}`, await userToken());
    expect(mine.status).toBe(200);
    expect(mine.body).toMatchObject({ id: orderId, owner: 'user-42', sku: 'tea' });
    const theirs = await dpopCall('GET', `/v1/orders/${orderId}`, await userToken('user-7'));
    expect(theirs.status).toBe(404);
    expect(theirs.body).toEqual({ statusCode: 404, message: 'no such order' });
  });

  it('the state lives in the JetStream KV buckets of orders and inventory', async () => {
    expect(await estate.stateKeys('orders')).toContain(`order.${orderId}`);
    expect(await estate.stateKeys('inventory')).toEqual(expect.arrayContaining([`reservation.${orderId}`, 'stock.tea']));
  });

  it('E22: the edge enforces the route scope before anything is exchanged: orders:read cannot place an order', async () => {
    const before = await estate.stateKeys('orders');
    const answer = await dpopCall('POST', '/v1/orders', await userToken('user-42', 'orders:read'), { sku: 'tea', quantity: 1 });
    expect(answer.status).toBe(403);
    expect(answer.body).toMatchObject({ error: 'insufficient_scope' });
    expect(await estate.stateKeys('orders')).toEqual(before);
  });

  it('a body that is not an order is 400 at the edge; out of stock is 409; an id that is not one is 404', async () => {
    expect((await dpopCall('POST', '/v1/orders', await userToken(), { sku: 'tea', quantity: 0 })).status).toBe(400);
    expect((await dpopCall('POST', '/v1/orders', await userToken(), { sku: 'tea', quantity: 99 })).status).toBe(409);
    expect((await dpopCall('GET', '/v1/orders/not-an-id', await userToken())).status).toBe(404);
  });
});

describe('what each hop received', () => {
  it('the internal tokens: at+jwt from the STS, sub = the end user, aud = the callee, act nested, cnf = the caller certificate, scope narrowed, ~60 s', async () => {
    const edge = { client: await estate.clientAs('edge'), signer: await estate.signerOf('edge') };
    const orders = { client: await estate.clientAs('orders'), signer: await estate.signerOf('orders') };
    const subject = await estate.issuer.mint({ sub: 'user-chain', cnf: { jkt: client.jkt } });
    const first = await exchangeAtSts(edge.client, edge.signer, { subjectToken: subject, audience: ORDERS, scope: 'orders:write' });
    if (!first.ok) throw new Error(`exchange refused: ${JSON.stringify(first.error)}`);
    expect(first.response).toMatchObject({ issued_token_type: JWT_TOKEN_TYPE, token_type: 'N_A', expires_in: 60, scope: 'orders:write' });
    const forOrders = first.response.access_token;
    expect(decodeProtectedHeader(forOrders)).toMatchObject({ typ: 'at+jwt', alg: 'ES256' });
    expect(decodeJwt(forOrders)).toMatchObject({
      iss: 'spiffe://estate.local/sts',
      sub: 'user-chain',
      aud: ORDERS,
      client_id: 'test-client',
      scope: 'orders:write',
      act: { sub: EDGE },
      cnf: { 'x5t#S256': edge.signer.certificateThumbprint },
    });
    // The second hop: orders exchanges what it received, for inventory.
    const second = await exchangeAtSts(orders.client, orders.signer, { subjectToken: forOrders, subjectTokenType: JWT_TOKEN_TYPE, audience: INVENTORY, scope: 'orders:write' });
    if (!second.ok) throw new Error(`exchange refused: ${JSON.stringify(second.error)}`);
    const forInventory = decodeJwt(second.response.access_token);
    expect(forInventory).toMatchObject({
      sub: 'user-chain',
      aud: INVENTORY,
      act: { sub: ORDERS, act: { sub: EDGE } },
      cnf: { 'x5t#S256': orders.signer.certificateThumbprint },
    });
    expect(forInventory.exp).toBeLessThanOrEqual(decodeJwt(forOrders).exp!);
    expect(forInventory.jti).not.toBe(decodeJwt(forOrders).jti);
  });
});

describe('durability (last: it restarts the broker)', () => {
  it('orders survive a restart of orders and of the broker', async () => {
    const placed = await dpopCall('POST', '/v1/orders', await userToken(), { sku: 'kept', quantity: 1 });
    expect(placed.status).toBe(201);
    const placedId = placed.body['id'] as string;
    await estate.close('orders');
    await estate.fabric.supervisor.restart();
    await estate.restart('orders');
    // Every client reconnects on its own (NATS_RECONNECT_WAIT_MS); meanwhile the edge answers 503 promptly.
    let again = await dpopCall('GET', `/v1/orders/${placedId}`, await userToken());
    for (let attempt = 0; again.status === 503 && attempt < 50; attempt += 1) {
      expect(again.headers.get('retry-after')).toBe('1');
      await new Promise((resolve) => setTimeout(resolve, 100));
      again = await dpopCall('GET', `/v1/orders/${placedId}`, await userToken());
    }
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: placedId, sku: 'kept', reservation: { orderId: placedId } });
  });
});
