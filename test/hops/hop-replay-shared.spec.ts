import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ClientProxy } from '@nestjs/microservices';
import type { HopProofSigner } from '#binding';
import { EstateConfigError, loadEstateConfig } from '#estate';
import { DpopClient } from '../../libs/binding/test-support/dpop-proofs.js';
import { callWithRawHeaders } from '../edge/http-call.js';
import { provisionReplayBucket } from '../../scripts/nats/provision-replay-bucket.js';
import { createOrdersApp, type OrdersApp } from '../../apps/orders/src/create-orders-app.js';
import { exchangeAtSts } from './support/exchange.js';
import { hopHeaders, sendHop } from './support/hop-messages.js';
import { HopEstate, ORDERS } from './support/hop-estate.js';
import { PROCESS_HOOK_TIMEOUT_MS } from '../../test-support/hook-timeout.js';

// H6 (E17 applied to hops): a workload claims hop-proof jtis in its replay bucket on JetStream
// (HOP_REPLAY_STORE=jetstream, the default), which every replica shares and which outlives a
// restart. A proof one replica accepted is refused by another replica, and by a replica started
// after it, for as long as the proof could be accepted. The queue group hands each message to one
// replica, so a proof replayed at the broker would otherwise find one that has not seen it.

const ORDER = Object.freeze({ sku: 'shared-replay', quantity: 1 });
let estate: HopEstate;
let edgeClient: ClientProxy;
let signer: HopProofSigner;
const replicas: OrdersApp[] = [];

beforeAll(async () => {
  estate = await HopEstate.start();
  edgeClient = await estate.clientAs('edge');
  signer = await estate.signerOf('edge');
}, PROCESS_HOOK_TIMEOUT_MS);

afterAll(async () => {
  for (const replica of replicas) await replica.app.close();
  await estate?.stop();
}, PROCESS_HOOK_TIMEOUT_MS);

async function anotherOrdersReplica(): Promise<OrdersApp> {
  const replica = await createOrdersApp(loadEstateConfig(estate.env(), 'orders'), { logger: false });
  await replica.app.listen();
  replicas.push(replica);
  return replica;
}

async function tokenForOrders(): Promise<string> {
  const exchanged = await exchangeAtSts(edgeClient, signer, { subjectToken: await estate.issuer.mint({ cnf: { jkt: 'k'.repeat(43) } }), audience: ORDERS, scope: 'orders:write' });
  if (!exchanged.ok) throw new Error(`exchange refused: ${JSON.stringify(exchanged.error)}`);
  return exchanged.response.access_token;
}

describe('H6: hop replay store shared by replicas (HOP_REPLAY_STORE=jetstream)', () => {
  it('H6: a proof accepted by one orders replica is refused by a second replica, and by one started after both stopped; fresh proofs pass on each', async () => {
    const token = await tokenForOrders();
    const seen = await hopHeaders(signer, { audience: ORDERS, subject: 'orders.create', token, payload: ORDER });
    expect(await sendHop(edgeClient, 'orders.create', ORDER, seen)).toMatchObject({ ok: true });

    // Only a second replica is serving now: it never saw the proof itself.
    const second = await anotherOrdersReplica();
    await estate.close('orders');
    expect(await sendHop(edgeClient, 'orders.create', ORDER, seen)).toEqual({ ok: false, error: expect.objectContaining({ code: 'invalid_token', type: 'proof_replayed', status: 401 }) });
    const fresh = await hopHeaders(signer, { audience: ORDERS, subject: 'orders.create', token, payload: ORDER });
    expect(await sendHop(edgeClient, 'orders.create', ORDER, fresh)).toMatchObject({ ok: true });

    // No replica left, then a new one: the claims were not in any process.
    await second.app.close();
    replicas.splice(replicas.indexOf(second), 1);
    await estate.restart('orders');
    for (const headers of [seen, fresh]) {
      expect(await sendHop(edgeClient, 'orders.create', ORDER, headers)).toEqual({ ok: false, error: expect.objectContaining({ code: 'invalid_token', type: 'proof_replayed', status: 401 }) });
    }
    const afterRestart = await hopHeaders(signer, { audience: ORDERS, subject: 'orders.create', token, payload: ORDER });
    expect(await sendHop(edgeClient, 'orders.create', ORDER, afterRestart)).toMatchObject({ ok: true });
  });

  it('H6: a replica whose replay bucket forgets claims before the proof window ends refuses to start, and starts once it is provisioned again', async () => {
    const admin = await estate.connectAs('admin');
    await provisionReplayBucket(admin, { bucket: 'orders', windowSeconds: 10 });
    const starting = createOrdersApp(loadEstateConfig(estate.env(), 'orders'), { logger: false });
    await expect(starting).rejects.toBeInstanceOf(EstateConfigError);
    await expect(starting).rejects.toThrow(/^HOP_REPLAY_STORE: bucket orders keeps claims 15 s, less than the hop proof window of 70 s/);
    await provisionReplayBucket(admin, { bucket: 'orders', windowSeconds: 70 });
    await anotherOrdersReplica();
  });

  it('E17: two edges with REPLAY_STORE=jetstream share the edge bucket that provisioning made: a proof one accepted the other refuses', async () => {
    const origin = 'http://api.estate.test';
    const env = { EDGE_PUBLIC_URL: origin, REPLAY_STORE: 'jetstream' };
    const edges = [await estate.startEdge({ env }), await estate.startEdge({ env })];
    const client = await DpopClient.create();
    const token = await estate.issuer.mint({ cnf: { jkt: client.jkt } });
    const headers = { host: 'api.estate.test', authorization: `DPoP ${token}`, dpop: await client.proof({ htm: 'GET', htu: `${origin}/v1/me`, token }) };
    const send = (edge: { url: string }) => callWithRawHeaders(`${edge.url.replace('localhost', '127.0.0.1')}/v1/me`, headers);
    expect((await send(edges[0]!)).status).toBe(200);
    const replayed = await send(edges[1]!);
    expect({ status: replayed.status, error: replayed.body['error'] }).toEqual({ status: 401, error: 'invalid_dpop_proof' });
  });
});
