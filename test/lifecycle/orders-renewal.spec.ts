import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash, X509Certificate } from 'node:crypto';
import type { NatsConnection } from '@nats-io/transport-node';
import { connect } from '@nats-io/transport-node';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { JWT_TOKEN_TYPE, SubjectToken, type OutboundClient } from '#binding';
import { ADMIN_IDENTITY, loadEstateConfig, natsConnectionOptions } from '#estate';
import type { IssuedCertificate } from '../../certs/pki.js';
import { ESTATE_PERMISSIONS } from '../../scripts/nats/permission-table.js';
import { announceRevocation } from '../../scripts/nats/publish-revocation.js';
import { exchangeAtSts } from '../hops/support/exchange.js';
import { hopHeaders, sendHop } from '../hops/support/hop-messages.js';
import { PROCESS_HOOK_TIMEOUT_MS } from '../../test-support/hook-timeout.js';
import { eventually, INVENTORY, LifecycleEstate, ORDERS } from './support/lifecycle-estate.js';

// SECURITY.md L2, L3, L6 and H3 for a workload whose certificate is renewed while it serves: orders'
// files are rewritten as a renewer does (key, then certificate, each renamed over), and orders
// follows without a restart. A wiretap (admin may read inventory.reserve in this file's permission
// table, outside any queue group) shows what orders actually sends to inventory.

const WIRETAP = 'inventory.reserve';
const permissions = ESTATE_PERMISSIONS.map((entry) => (entry.identity === ADMIN_IDENTITY ? { ...entry, subscribe: [...entry.subscribe, WIRETAP] } : entry));

interface Tapped {
  readonly x5c: string;
  readonly token: string;
  readonly cnf: string;
}

let estate: LifecycleEstate;
let edge: OutboundClient;
let tap: NatsConnection;
const tapped: Tapped[] = [];

const derOf = (issued: { certificatePem: string }): string => new X509Certificate(issued.certificatePem).raw.toString('base64');
const thumbprintOf = (issued: { certificatePem: string }): string => createHash('sha256').update(new X509Certificate(issued.certificatePem).raw).digest('base64url');

beforeAll(async () => {
  estate = await LifecycleEstate.start({ permissions });
  edge = await estate.outboundAs('edge');
  tap = await connect(natsConnectionOptions(loadEstateConfig(estate.env(), ADMIN_IDENTITY)));
  tap.subscribe(WIRETAP, {
    callback: (error, message) => {
      if (error !== null) return;
      const token = message.headers?.get('Hop-Token') ?? '';
      const x5c = decodeProtectedHeader(message.headers?.get('Hop-Proof') ?? '').x5c?.[0] ?? '';
      tapped.push({ x5c, token, cnf: String((decodeJwt(token)['cnf'] as Record<string, unknown>)['x5t#S256']) });
    },
  });
  await tap.flush();
}, PROCESS_HOOK_TIMEOUT_MS);

afterAll(async () => {
  await tap?.close();
  await estate?.stop();
}, PROCESS_HOOK_TIMEOUT_MS);

let userToken: SubjectToken | undefined;

/** One order as the edge places it, for the same end user (one client token: exchanges are cached). */
async function placeOrder(sku = 'tea'): Promise<Record<string, unknown>> {
  userToken ??= await estate.clientToken();
  return edge.call({ audience: ORDERS, subject: 'orders.create', payload: { sku, quantity: 1 }, subjectToken: userToken, scope: 'orders:write' });
}

function currentOrdersCertificate(): { certificatePem: string } {
  return { certificatePem: estate.orders.link.identity.current.cert };
}

describe('L2: orders signs with its renewed certificate at once, and re-exchanges', () => {
  it('L2: after a rewrite of orders\' files, its next hop proof carries the new x5c and its next call re-exchanges for a token bound to the new certificate', async () => {
    const before = currentOrdersCertificate();
    await placeOrder();
    await placeOrder();
    expect(tapped.map((entry) => entry.x5c)).toEqual([derOf(before), derOf(before)]);
    expect(tapped.map((entry) => entry.cnf)).toEqual([thumbprintOf(before), thumbprintOf(before)]);
    expect(tapped[1]!.token).toBe(tapped[0]!.token); // cached while the certificate stays

    const renewed = await estate.issue('orders');
    await estate.renew('orders', renewed);
    expect(estate.orders.link.signer.certificateThumbprint).toBe(thumbprintOf(renewed));
    await placeOrder();
    const after = tapped[2]!;
    expect(after.x5c).toBe(derOf(renewed));
    expect(after.cnf).toBe(thumbprintOf(renewed));
    expect(after.token).not.toBe(tapped[0]!.token); // exchanged again, not the token bound to the old certificate
  });

  it('L2, H3: proofs from the superseded but still valid certificate still pass at inventory; an expired certificate\'s fail', async () => {
    const superseded: IssuedCertificate = await estate.issue('orders');
    await estate.renew('orders', await estate.issue('orders')); // `superseded` is now an old, still valid certificate
    const edgeClient = await estate.clientAs('edge');
    const edgeConfig = loadEstateConfig(estate.env(), 'edge');
    const signerOfEdge = estate.signerOf({ certificatePem: edgeConfig.tls.cert, privateKeyPem: edgeConfig.tls.key, der: new Uint8Array() });
    const exchanged = await exchangeAtSts(edgeClient, signerOfEdge, { subjectToken: (await estate.issuer.mint({ cnf: { jkt: 'client-key-thumbprint-0000000000000000000000' } })), audience: ORDERS, scope: 'orders:read' });
    if (!exchanged.ok) throw new Error(`exchange refused: ${JSON.stringify(exchanged.error)}`);
    const ordersToken = new SubjectToken(exchanged.response.access_token, JWT_TOKEN_TYPE, Math.floor(Date.now() / 1000) + exchanged.response.expires_in);

    const asSuperseded = await estate.outboundAs('orders', estate.signerOf(superseded));
    await expect(asSuperseded.call({ audience: INVENTORY, subject: 'inventory.get', payload: { sku: 'tea' }, subjectToken: ordersToken, scope: 'orders:read' })).resolves.toMatchObject({ sku: 'tea' });

    const expired = await estate.issue('orders', { notBefore: new Date(Date.now() - 3_600_000), notAfter: new Date(Date.now() - 1_000) });
    const ordersClient = await estate.clientAs('orders');
    const payload = { sku: 'tea' };
    const refused = await sendHop(ordersClient, 'inventory.get', payload, await hopHeaders(estate.signerOf(expired), { audience: INVENTORY, subject: 'inventory.get', token: tapped[0]!.token, payload }));
    expect(refused).toEqual({ ok: false, error: expect.objectContaining({ code: 'invalid_token', type: 'certificate_not_valid_now' }) });
    // This test's own connections as orders are not orders': close them before the broker is asked.
    await estate.closeClients('orders');
  });
});

describe('L3: orders\' NATS connections move make-before-break', () => {
  it('L3: 200 orders, 20 at a time, while orders\' identity is swapped: 0 failed; then the broker sees orders on the new certificate only', async () => {
    const renewed = await estate.issue('orders');
    await placeOrder(); // tokens cached: the load below is mostly hops
    // 20 callers, 10 orders each, one after another: the load lasts longer than the swap, so
    // orders has requests in hand on its old connections when they are replaced. One SKU per order:
    // concurrent reservations of one SKU conflict in inventory (optimistic concurrency on its stock
    // record), which would hide what this test is about.
    const swap = { start: Number.POSITIVE_INFINITY, end: Number.POSITIVE_INFINITY };
    const outcomes: { ok: boolean; start: number; end: number; error?: string }[] = [];
    let settled = 0;
    const caller = async (worker: number): Promise<void> => {
      for (let index = 0; index < 10; index += 1) {
        const start = performance.now();
        try {
          await placeOrder(`load-${worker}-${index}`);
          outcomes.push({ ok: true, start, end: performance.now() });
        } catch (error) {
          outcomes.push({ ok: false, start, end: performance.now(), error: error instanceof Error ? error.message : String(error) });
        }
        settled += 1;
      }
    };
    const load = Promise.all(Array.from({ length: 20 }, (_, worker) => caller(worker)));
    while (settled < 30) await new Promise((resolve) => setTimeout(resolve, 5));
    swap.start = performance.now();
    await estate.renew('orders', renewed);
    swap.end = performance.now();
    await load;
    expect(outcomes).toHaveLength(200);
    expect(outcomes.filter((outcome) => !outcome.ok).map((outcome) => outcome.error)).toEqual([]);
    // Orders in hand across the swap: begun before it ended, answered after it began.
    expect(outcomes.filter((outcome) => outcome.start < swap.end && outcome.end > swap.start).length).toBeGreaterThanOrEqual(20);

    // The link's connection, the microservice's and the outbound ClientNats: all on the new certificate
    // (the broker removes a closed connection from its list a moment after the client has gone).
    const sha256 = createHash('sha256').update(new X509Certificate(renewed.certificatePem).raw).digest('hex');
    const ordersCertificates = async () => (await estate.broker.connections()).filter((c) => c.authorized_user === ORDERS).map((c) => c.tls_peer_certs?.[0]?.cert_sha256);
    await eventually(3_000, async () => (await ordersCertificates()).length === 3);
    expect(await ordersCertificates()).toEqual([sha256, sha256, sha256]);
  });

  it('L3, H12: after the STS and orders swap, revocations announced still reach both (their feeds moved with their connections) and sts.jwks still answers (its subscription moved)', async () => {
    await estate.renew('sts', await estate.issue('sts'));
    await estate.renew('orders', await estate.issue('orders'));
    await announceRevocation(tap, { kind: 'sub', value: 'revoked-after-the-swap', ttlSeconds: 60 });
    await eventually(3_000, () => [estate.orders.link, estate.sts.link].every((link) => link.revocations.isRevoked({ subject: 'revoked-after-the-swap' })));

    const asInventory = await connect(natsConnectionOptions(loadEstateConfig(estate.env(), 'inventory')));
    try {
      const jwks = (await asInventory.request('sts.jwks', undefined, { timeout: 3_000 })).json<{ keys: unknown[] }>();
      expect(jwks.keys.length).toBeGreaterThanOrEqual(2);
    } finally {
      await asInventory.close();
    }
    await expect(placeOrder('after-sts-swap')).resolves.toMatchObject({ status: 'reserved' });
  });

  it('L6: a half-written pair (key renamed, certificate not yet) is never used: proofs and connections stay on the current certificate', async () => {
    const current = currentOrdersCertificate();
    const next = await estate.issue('orders');
    await estate.replaceFile('orders.key', next.privateKeyPem, 0o600);
    await estate.followed();
    expect(estate.orders.link.identity.watcher.problem).toMatch(/orders\.key does not match the certificate/);
    expect(estate.orders.link.signer.certificateThumbprint).toBe(thumbprintOf(current));
    const tappedBefore = tapped.length;
    await placeOrder('half');
    expect(tapped[tappedBefore]!.x5c).toBe(derOf(current));
    const sha256 = createHash('sha256').update(new X509Certificate(current.certificatePem).raw).digest('hex');
    expect((await estate.broker.connections()).filter((c) => c.authorized_user === ORDERS).map((c) => c.tls_peer_certs?.[0]?.cert_sha256)).toEqual([sha256, sha256, sha256]);

    await estate.replaceFile('orders.crt', next.certificatePem);
    await estate.followed();
    expect(estate.orders.link.identity.watcher.problem).toBeUndefined();
    expect(estate.orders.link.signer.certificateThumbprint).toBe(thumbprintOf(next));
  });
});
