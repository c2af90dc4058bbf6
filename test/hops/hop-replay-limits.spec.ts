import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ClientProxy } from '@nestjs/microservices';
import type { HopProofSigner } from '#binding';
import { exchangeAtSts } from './support/exchange.js';
import { hopHeaders, sendHop } from './support/hop-messages.js';
import { HopEstate, ORDERS } from './support/hop-estate.js';
import { PROCESS_HOOK_TIMEOUT_MS } from '../../test-support/hook-timeout.js';

// H6 at a receiver whose in-memory replay store (HOP_REPLAY_STORE=memory) is bounded by
// configuration (HOP_REPLAY_MAX_ENTRIES, HOP_REPLAY_MAX_PER_SENDER, libs/estate): proofs are claimed until the sender's quota is spent,
// then the receiver fails closed with 503 temporarily_unavailable, and nothing runs.

const PER_SENDER = 3;
const ORDER = Object.freeze({ sku: 'quota', quantity: 1 });
let estate: HopEstate;
let edgeClient: ClientProxy;
let signer: HopProofSigner;

beforeAll(async () => {
  estate = await HopEstate.start({ serviceEnv: { HOP_REPLAY_STORE: 'memory', HOP_REPLAY_MAX_ENTRIES: '10', HOP_REPLAY_MAX_PER_SENDER: String(PER_SENDER) } });
  edgeClient = await estate.clientAs('edge');
  signer = await estate.signerOf('edge');
}, PROCESS_HOOK_TIMEOUT_MS);

afterAll(async () => {
  await estate?.stop();
}, PROCESS_HOOK_TIMEOUT_MS);

describe('H6: the hop replay store takes its bounds from the environment', () => {
  it(`a sender gets ${PER_SENDER} live claims; the next proof is refused 503 replay_store_unavailable and writes nothing`, async () => {
    const exchanged = await exchangeAtSts(edgeClient, signer, { subjectToken: await estate.issuer.mint({ cnf: { jkt: 'k'.repeat(43) } }), audience: ORDERS, scope: 'orders:write' });
    if (!exchanged.ok) throw new Error(`exchange refused: ${JSON.stringify(exchanged.error)}`);
    const token = exchanged.response.access_token;
    const send = async () => sendHop(edgeClient, 'orders.create', ORDER, await hopHeaders(signer, { audience: ORDERS, subject: 'orders.create', token, payload: ORDER }));
    for (let index = 0; index < PER_SENDER; index += 1) expect(await send()).toMatchObject({ ok: true });
    const before = await estate.stateKeys('orders');
    expect(await send()).toEqual({ ok: false, error: { code: 'temporarily_unavailable', type: 'replay_store_unavailable', status: 503, message: expect.any(String) } });
    expect(await estate.stateKeys('orders')).toEqual(before);
  });
});
