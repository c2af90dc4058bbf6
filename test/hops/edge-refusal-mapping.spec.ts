import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DpopClient } from '../../libs/binding/test-support/dpop-proofs.js';
import { call, type Answer } from '../edge/http-call.js';
import { HopEstate } from './support/hop-estate.js';
import { PROCESS_HOOK_TIMEOUT_MS } from '../../test-support/hook-timeout.js';

// What the edge's client sees when the STS refuses the end user's token at the exchange (RFC 8693
// §2.2.2 invalid_request, the failure type naming the check): 403 with a generic body, as for any
// refusal of what the user's token may do, never the internal code or type and never a 502. Here
// the STS expects another audience for client tokens than the one this edge's tokens carry.

let estate: HopEstate;
let edgeUrl: string;
let client: DpopClient;

beforeAll(async () => {
  estate = await HopEstate.start({ stsEnv: { EDGE_AUDIENCE: 'https://another-edge.example' } });
  edgeUrl = (await estate.startEdge()).url;
  client = await DpopClient.create();
}, PROCESS_HOOK_TIMEOUT_MS);

afterAll(async () => {
  await estate?.stop();
}, PROCESS_HOOK_TIMEOUT_MS);

async function placeOrder(): Promise<Answer> {
  const url = `${edgeUrl}/v1/orders`;
  const token = await estate.issuer.mint({ sub: 'user-42', cnf: { jkt: client.jkt } });
  const headers = { Authorization: `DPoP ${token}`, DPoP: await client.proof({ htm: 'POST', htu: url, token }), 'Content-Type': 'application/json' };
  return call(url, headers, 'POST', JSON.stringify({ sku: 'refused', quantity: 1 }));
}

describe('the edge answering an STS refusal of the user\'s token', () => {
  it('H9: the STS refuses the subject token (invalid_request, token_audience): the client gets 403 with a generic body', async () => {
    const answer = await placeOrder();
    expect({ status: answer.status, body: answer.body }).toEqual({ status: 403, body: { statusCode: 403, message: 'the request was refused' } });
    expect(JSON.stringify(answer.body)).not.toMatch(/invalid_request|token_audience|spiffe|eyJ/);
  });

  it('the edge itself still serves what needs no exchange (GET /v1/me)', async () => {
    const url = `${edgeUrl}/v1/me`;
    const token = await estate.issuer.mint({ sub: 'user-42', cnf: { jkt: client.jkt } });
    expect((await call(url, { Authorization: `DPoP ${token}`, DPoP: await client.proof({ htm: 'GET', htu: url, token }) })).status).toBe(200);
  });
});
