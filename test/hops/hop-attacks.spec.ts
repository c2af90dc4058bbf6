import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decodeJwt } from 'jose';
import type { ClientProxy } from '@nestjs/microservices';
import { createHopProofSigner, JWT_TOKEN_TYPE, type HopProofSigner } from '#binding';
import { loadEstateConfig, spiffeIdOf } from '#estate';
import { signInternalToken } from '../../apps/sts/src/exchange/internal-token.js';
import { createCertificateAuthority, issueCertificate } from '../../certs/pki.js';
import { ESTATE_PERMISSIONS } from '../../scripts/nats/permission-table.js';
import { exchangeAtSts } from './support/exchange.js';
import { craftProof, hopHeaders, sendHop, type HopOutcome } from './support/hop-messages.js';
import { EDGE, HopEstate, INVENTORY, ORDERS, STS } from './support/hop-estate.js';
import { PROCESS_HOOK_TIMEOUT_MS } from '../../test-support/hook-timeout.js';

// SECURITY.md H1-H13 at the internal hops, one attack per check, against the real orders and
// inventory apps on a real mTLS nats-server. Each refusal is asserted by its code and failure type
// (H13), and each asserts that the handler never ran: the KV state the handlers write is unchanged.
//
// This file's broker and STS are deliberately too permissive in one place: the edge may publish to
// inventory.* and obtain tokens for inventory. So the handler's own caller check (H11) is what
// refuses the edge there; everything else is as deployed.

const JKT = { jkt: 'client-key-thumbprint-0000000000000000000000' };
const ORDER = Object.freeze({ sku: 'attack', quantity: 1 });
let estate: HopEstate;
let edgeClient: ClientProxy;
let orders: { client: ClientProxy; signer: HopProofSigner; certificatePem: string; keyPem: string };
let edge: { signer: HopProofSigner; certificatePem: string; keyPem: string };

beforeAll(async () => {
  const permissions = ESTATE_PERMISSIONS.map((entry) => (entry.identity === 'edge' ? { ...entry, publish: [...entry.publish, 'inventory.*'] } : entry));
  const policy = {
    [EDGE]: { [ORDERS]: ['orders:read', 'orders:write'], [INVENTORY]: ['orders:read', 'orders:write'] },
    [ORDERS]: { [INVENTORY]: ['orders:read', 'orders:write'] },
  };
  estate = await HopEstate.start({ permissions, stsEnv: { STS_EXCHANGE_POLICY: JSON.stringify(policy) } });
  edgeClient = await estate.clientAs('edge');
  const edgeConfig = loadEstateConfig(estate.env(), 'edge');
  const ordersConfig = loadEstateConfig(estate.env(), 'orders');
  edge = { signer: await estate.signerOf('edge'), certificatePem: edgeConfig.tls.cert, keyPem: edgeConfig.tls.key };
  orders = { client: await estate.clientAs('orders'), signer: await estate.signerOf('orders'), certificatePem: ordersConfig.tls.cert, keyPem: ordersConfig.tls.key };
}, PROCESS_HOOK_TIMEOUT_MS);

afterAll(async () => {
  await estate?.stop();
}, PROCESS_HOOK_TIMEOUT_MS);

/** A real token for orders, as the edge obtains it at the STS (bound to `signer`'s certificate). */
async function tokenForOrders(signer: HopProofSigner = edge.signer, sub = 'user-42'): Promise<string> {
  const outcome = await exchangeAtSts(edgeClient, signer, { subjectToken: await estate.issuer.mint({ cnf: JKT, sub }), audience: ORDERS, scope: 'orders:write' });
  if (!outcome.ok) throw new Error(`exchange refused: ${JSON.stringify(outcome.error)}`);
  return outcome.response.access_token;
}

/** A token signed with the STS's real key but claims of the test's choosing: a mis-issued token. */
async function stsMinted(claims: Record<string, unknown>): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return signInternalToken({ iss: STS, sub: 'user-42', aud: ORDERS, iat: now, exp: now + 60, jti: `minted-${Math.random()}`, scope: 'orders:write', act: { sub: EDGE }, cnf: { 'x5t#S256': edge.signer.certificateThumbprint }, ...claims }, estate.sts.keys.current);
}

/** Runs the attack and checks the refusal, and that neither orders nor inventory wrote anything. */
async function refusedAndNothingRan(attack: () => Promise<HopOutcome>, code: string, type: string): Promise<void> {
  const before = { orders: await estate.stateKeys('orders'), inventory: await estate.stateKeys('inventory') };
  const outcome = await attack();
  expect(outcome).toEqual({ ok: false, error: { code, type, status: expect.any(Number), message: expect.any(String) } });
  expect({ orders: await estate.stateKeys('orders'), inventory: await estate.stateKeys('inventory') }).toEqual(before);
}

async function ordersCreate(token: string, signer: HopProofSigner = edge.signer, payload: unknown = ORDER): Promise<HopOutcome> {
  return sendHop(edgeClient, 'orders.create', payload, await hopHeaders(signer, { audience: ORDERS, subject: 'orders.create', token, payload }));
}

describe('the legitimate call passes (the baseline every attack departs from)', () => {
  it('a token from the STS and a proof by its certificate reach orders.create, which writes the order', async () => {
    const before = await estate.stateKeys('orders');
    const outcome = await ordersCreate(await tokenForOrders());
    expect(outcome).toMatchObject({ ok: true, reply: { sku: 'attack', placedVia: [EDGE] } });
    expect((await estate.stateKeys('orders')).length).toBe(before.length + 1);
  });

  it('H6: clock skew within the window passes: a proof 8 s ahead of orders\' clock, and one 50 s old', async () => {
    const now = Math.floor(Date.now() / 1000);
    for (const iat of [now + 8, now - 50]) {
      const token = await tokenForOrders();
      const headers = await hopHeaders(edge.signer, { audience: ORDERS, subject: 'orders.create', token, payload: ORDER, now: iat });
      expect(await sendHop(edgeClient, 'orders.create', ORDER, headers)).toMatchObject({ ok: true });
    }
  });
});

describe('H1-H7: the hop proof', () => {
  it('H1: a message without Hop-Token, or with two Hop-Proof headers, never reaches the handler', async () => {
    const token = await tokenForOrders();
    const { 'Hop-Proof': proof } = await hopHeaders(edge.signer, { audience: ORDERS, subject: 'orders.create', token, payload: ORDER });
    await refusedAndNothingRan(() => sendHop(edgeClient, 'orders.create', ORDER, { 'Hop-Proof': proof! }), 'invalid_token', 'missing_credentials');
    await refusedAndNothingRan(() => sendHop(edgeClient, 'orders.create', ORDER, { 'Hop-Token': token, 'Hop-Proof': proof!, 'hop-proof': proof! }), 'invalid_request', 'multiple_proofs');
  });

  it('H2: a proof that is not typ hop+jwt (a DPoP proof\'s typ) is refused', async () => {
    const token = await tokenForOrders();
    const proof = craftProof({ certificatePem: edge.certificatePem, signingKeyPem: edge.keyPem, header: { typ: 'dpop+jwt' }, claims: { aud: ORDERS, sub: 'orders.create', token, payload: ORDER } });
    await refusedAndNothingRan(() => sendHop(edgeClient, 'orders.create', ORDER, { 'Hop-Token': token, 'Hop-Proof': proof }), 'invalid_token', 'proof_type');
  });

  it('H3: a certificate from another CA in x5c is refused', async () => {
    const rogueCa = await createCertificateAuthority({ commonName: 'rogue CA' });
    const rogue = await issueCertificate(rogueCa, { commonName: 'edge', spiffeId: EDGE, usage: 'client' });
    const signer = createHopProofSigner({ privateKey: rogue.privateKeyPem, certificateChainPem: rogue.certificatePem });
    const token = await tokenForOrders();
    await refusedAndNothingRan(() => ordersCreate(token, signer), 'invalid_token', 'certificate_untrusted');
  });

  it('H3: an expired certificate (from the estate CA) in x5c is refused', async () => {
    const hour = 3_600_000;
    const expired = await issueCertificate(estate.fabric.ca, { commonName: 'edge', spiffeId: EDGE, usage: 'client', notBefore: new Date(Date.now() - 3 * hour), notAfter: new Date(Date.now() - hour) });
    const signer = createHopProofSigner({ privateKey: expired.privateKeyPem, certificateChainPem: expired.certificatePem });
    const token = await tokenForOrders();
    await refusedAndNothingRan(() => ordersCreate(token, signer), 'invalid_token', 'certificate_not_valid_now');
  });

  it('H4: a proof naming edge\'s certificate but signed with another key is refused', async () => {
    const token = await tokenForOrders();
    const proof = craftProof({ certificatePem: edge.certificatePem, signingKeyPem: orders.keyPem, claims: { aud: ORDERS, sub: 'orders.create', token, payload: ORDER } });
    await refusedAndNothingRan(() => sendHop(edgeClient, 'orders.create', ORDER, { 'Hop-Token': token, 'Hop-Proof': proof }), 'invalid_token', 'proof_signature');
  });

  it('H5: a proof made for another subject (orders.get) or another service (inventory) is refused', async () => {
    const token = await tokenForOrders();
    const forGet = await hopHeaders(edge.signer, { audience: ORDERS, subject: 'orders.get', token, payload: ORDER });
    await refusedAndNothingRan(() => sendHop(edgeClient, 'orders.create', ORDER, forGet), 'invalid_token', 'proof_subject');
    const forInventory = await hopHeaders(edge.signer, { audience: INVENTORY, subject: 'orders.create', token, payload: ORDER });
    await refusedAndNothingRan(() => sendHop(edgeClient, 'orders.create', ORDER, forInventory), 'invalid_token', 'proof_audience');
  });

  it('H6: a replayed hop proof is refused; the handler ran exactly once', async () => {
    const headers = await hopHeaders(edge.signer, { audience: ORDERS, subject: 'orders.create', token: await tokenForOrders(), payload: ORDER });
    const before = await estate.stateKeys('orders');
    expect(await sendHop(edgeClient, 'orders.create', ORDER, headers)).toMatchObject({ ok: true });
    expect((await estate.stateKeys('orders')).length).toBe(before.length + 1);
    await refusedAndNothingRan(() => sendHop(edgeClient, 'orders.create', ORDER, headers), 'invalid_token', 'proof_replayed');
  });

  it('H6: a proof ten minutes old is refused', async () => {
    const token = await tokenForOrders();
    const headers = await hopHeaders(edge.signer, { audience: ORDERS, subject: 'orders.create', token, payload: ORDER, now: Math.floor(Date.now() / 1000) - 600 });
    await refusedAndNothingRan(() => sendHop(edgeClient, 'orders.create', ORDER, headers), 'invalid_token', 'proof_not_fresh');
  });

  it('H7: a payload changed after signing is refused', async () => {
    const headers = await hopHeaders(edge.signer, { audience: ORDERS, subject: 'orders.create', token: await tokenForOrders(), payload: ORDER });
    await refusedAndNothingRan(() => sendHop(edgeClient, 'orders.create', { sku: 'attack', quantity: 99 }, headers), 'invalid_token', 'payload_hash_mismatch');
  });

  it('H7: a proof made for another token (ath) is refused', async () => {
    const headers = await hopHeaders(edge.signer, { audience: ORDERS, subject: 'orders.create', token: await tokenForOrders(), payload: ORDER });
    const other = await tokenForOrders();
    await refusedAndNothingRan(() => sendHop(edgeClient, 'orders.create', ORDER, { ...headers, 'Hop-Token': other }), 'invalid_token', 'ath_mismatch');
  });
});

describe('H8-H11: the token and its binding', () => {
  it('H8: the client\'s DPoP token forwarded raw to orders is refused: it is not the STS\'s', async () => {
    const clientToken = await estate.issuer.mint({ cnf: JKT, aud: ORDERS });
    await refusedAndNothingRan(() => ordersCreate(clientToken), 'invalid_token', 'token_signature');
  });

  it('H8: an expired internal token is refused', async () => {
    const now = Math.floor(Date.now() / 1000);
    await refusedAndNothingRan(async () => ordersCreate(await stsMinted({ iat: now - 120, exp: now - 60 })), 'invalid_token', 'token_expired');
  });

  it('H9: a token minted for inventory presented at orders is refused', async () => {
    const forOrders = await tokenForOrders();
    const exchanged = await exchangeAtSts(orders.client, orders.signer, { subjectToken: forOrders, subjectTokenType: JWT_TOKEN_TYPE, audience: INVENTORY, scope: 'orders:write' });
    if (!exchanged.ok) throw new Error('exchange refused');
    const forInventory = exchanged.response.access_token;
    expect(decodeJwt(forInventory).aud).toBe(INVENTORY);
    // Its holder, orders, presents it at orders with its own certificate and key (over the edge's connection).
    await refusedAndNothingRan(() => ordersCreate(forInventory, orders.signer), 'invalid_token', 'token_audience');
  });

  it('H10: a token bound to edge\'s certificate, presented with orders\' certificate and key, is refused', async () => {
    const boundToEdge = await tokenForOrders();
    await refusedAndNothingRan(() => ordersCreate(boundToEdge, orders.signer), 'invalid_token', 'confirmation_mismatch');
  });

  it('H10: a DPoP-bound token (cnf.jkt), even one the STS signed, is refused inside: wrong confirmation method', async () => {
    await refusedAndNothingRan(async () => ordersCreate(await stsMinted({ cnf: JKT })), 'invalid_token', 'confirmation_method');
  });

  it('H10: an unbound internal token is refused', async () => {
    await refusedAndNothingRan(async () => ordersCreate(await stsMinted({ cnf: undefined })), 'invalid_token', 'unbound_token');
  });

  it('H11: an act that does not match the certificate is refused', async () => {
    await refusedAndNothingRan(async () => ordersCreate(await stsMinted({ act: { sub: ORDERS, act: { sub: EDGE } } })), 'invalid_token', 'actor_mismatch');
  });

  it('H11: a caller the handler does not allow: the edge, with a valid token and proof for inventory, may not reserve', async () => {
    const exchanged = await exchangeAtSts(edgeClient, edge.signer, { subjectToken: await estate.issuer.mint({ cnf: JKT }), audience: INVENTORY, scope: 'orders:write' });
    if (!exchanged.ok) throw new Error('exchange refused');
    const payload = { orderId: '00000000-0000-4000-8000-000000000001', sku: 'attack', quantity: 1 };
    const headers = await hopHeaders(edge.signer, { audience: INVENTORY, subject: 'inventory.reserve', token: exchanged.response.access_token, payload });
    await refusedAndNothingRan(() => sendHop(edgeClient, 'inventory.reserve', payload, headers), 'insufficient_scope', 'caller_not_allowed');
  });

  it('H11: a scope the handler requires and the token lacks is refused (orders:read cannot create)', async () => {
    const outcome = await exchangeAtSts(edgeClient, edge.signer, { subjectToken: await estate.issuer.mint({ cnf: JKT }), audience: ORDERS, scope: 'orders:read' });
    if (!outcome.ok) throw new Error('exchange refused');
    await refusedAndNothingRan(() => ordersCreate(outcome.response.access_token), 'insufficient_scope', 'insufficient_scope');
  });

  it('H11: an exchange outside the STS policy is refused at the STS, and nothing runs', async () => {
    const before = { orders: await estate.stateKeys('orders'), inventory: await estate.stateKeys('inventory') };
    const outcome = await exchangeAtSts(edgeClient, edge.signer, { subjectToken: await estate.issuer.mint({ cnf: JKT }), audience: 'spiffe://estate.local/ledger' });
    expect(outcome).toMatchObject({ ok: false, error: { code: 'invalid_target', type: 'exchange_invalid_target' } });
    expect({ orders: await estate.stateKeys('orders'), inventory: await estate.stateKeys('inventory') }).toEqual(before);
  });

  it('H10/H8/H13 at the STS: an unbound or an expired subject token is not exchanged (invalid_request, RFC 8693 §2.2.2), and nothing runs', async () => {
    const outbound = await estate.outboundAs('edge');
    const before = await estate.stateKeys('orders');
    await expect(outbound.call({ audience: ORDERS, subject: 'orders.create', payload: ORDER, subjectToken: await estate.clientToken({ cnf: {} }), scope: 'orders:write' }))
      .rejects.toMatchObject({ name: 'OutboundRefusedError', stage: 'exchange', code: 'invalid_request', type: 'unbound_token' });
    await expect(outbound.call({ audience: ORDERS, subject: 'orders.create', payload: ORDER, subjectToken: await estate.clientToken({ expiresIn: -30 }), scope: 'orders:write' }))
      .rejects.toMatchObject({ name: 'OutboundRefusedError', stage: 'exchange', code: 'invalid_request', type: 'token_expired' });
    expect(await estate.stateKeys('orders')).toEqual(before);
  });
});

describe('H12: revocation, applied by orders within a second', () => {
  it('H12: a revoked token (its jti) is refused at orders', async () => {
    const token = await tokenForOrders();
    const jti = decodeJwt(token).jti!;
    await estate.revoke('jti', jti);
    await within(1_000, () => estate.orders.link.revocations.isRevoked({ tokenId: jti }));
    await refusedAndNothingRan(() => ordersCreate(token), 'invalid_token', 'revoked');
  });

  it('H12: a revoked subject (end user) is refused at orders, even with a token obtained before', async () => {
    const token = await tokenForOrders(edge.signer, 'user-revoked-at-orders');
    await estate.revoke('sub', 'user-revoked-at-orders');
    await within(1_000, () => estate.orders.link.revocations.isRevoked({ subject: 'user-revoked-at-orders' }));
    await refusedAndNothingRan(() => ordersCreate(token), 'invalid_token', 'revoked');
  });

  it('H12: a revoked certificate is refused at orders, even with a token bound to it obtained before', async () => {
    const second = await issueCertificate(estate.fabric.ca, { commonName: 'edge-2', spiffeId: spiffeIdOf('edge'), usage: 'client' });
    const signer = createHopProofSigner({ privateKey: second.privateKeyPem, certificateChainPem: second.certificatePem });
    const token = await tokenForOrders(signer);
    await estate.revoke('cert', signer.certificateThumbprint);
    await within(1_000, () => estate.orders.link.revocations.isRevoked({ certificateThumbprint: signer.certificateThumbprint }));
    await refusedAndNothingRan(() => ordersCreate(token, signer), 'invalid_token', 'revoked');
  });
});

async function within(ms: number, condition: () => boolean): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not applied within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
