import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash, X509Certificate } from 'node:crypto';
import { JWT_TOKEN_TYPE, OutboundRefusedError, SubjectToken } from '#binding';
import { loadEstateConfig, WORKLOADS } from '#estate';
import { createCertificateAuthority, issueCertificate, type Authority, type IssuedCertificate } from '../../certs/pki.js';
import { exchangeAtSts } from '../hops/support/exchange.js';
import { hopHeaders, sendHop } from '../hops/support/hop-messages.js';
import { PROCESS_HOOK_TIMEOUT_MS } from '../../test-support/hook-timeout.js';
import { eventually, INVENTORY, LifecycleEstate, ORDERS } from './support/lifecycle-estate.js';

// SECURITY.md L4: a CA rollover with the receivers (the STS checking caller proofs, inventory
// checking hop proofs) and the broker running throughout. The bundle `ca.crt` gains the new CA,
// every leaf (and the broker's) is re-issued under it, then the old CA leaves the bundle. The apps
// follow their files; the broker is told to reload them (SIGHUP), as the renewer does.

let estate: LifecycleEstate;
let newCa: Authority;
let oldOrders: IssuedCertificate;

beforeAll(async () => {
  estate = await LifecycleEstate.start();
  newCa = await createCertificateAuthority({ commonName: 'estate test CA, next', validityDays: 1 });
  // The orders leaf the estate started with, under the old CA (the fabric writes the key beside it).
  const config = loadEstateConfig(estate.env(), 'orders');
  oldOrders = { certificatePem: config.tls.cert, privateKeyPem: config.tls.key, der: new X509Certificate(config.tls.cert).raw };
}, PROCESS_HOOK_TIMEOUT_MS);

afterAll(async () => {
  await estate?.stop();
}, PROCESS_HOOK_TIMEOUT_MS);

/** An internal token for orders, exchanged by the edge with its current files, as orders would hold it. */
async function tokenHeldByOrders(): Promise<SubjectToken> {
  const config = loadEstateConfig(estate.env(), 'edge');
  const edgeSigner = estate.signerOf({ certificatePem: config.tls.cert, privateKeyPem: config.tls.key, der: new Uint8Array() });
  const exchanged = await exchangeAtSts(await estate.clientAs('edge'), edgeSigner, { subjectToken: await estate.issuer.mint({ cnf: { jkt: 'client-key-thumbprint-0000000000000000000000' } }), audience: ORDERS, scope: 'orders:read' });
  if (!exchanged.ok) throw new Error(`the edge's exchange was refused: ${JSON.stringify(exchanged.error)}`);
  return new SubjectToken(exchanged.response.access_token, JWT_TOKEN_TYPE, Math.floor(Date.now() / 1000) + exchanged.response.expires_in);
}

/** inventory.get as orders, signed by `leaf`: exchange at the STS (caller proof), then the hop. */
async function callInventoryAs(leaf: IssuedCertificate): Promise<unknown> {
  const outbound = await estate.outboundAs('orders', estate.signerOf(leaf));
  return outbound.call({ audience: INVENTORY, subject: 'inventory.get', payload: { sku: 'tea' }, subjectToken: await tokenHeldByOrders(), scope: 'orders:read' });
}

/** A hop to inventory signed by `leaf`, whose certificate inventory checks first (H3). */
async function hopToInventory(leaf: IssuedCertificate): Promise<unknown> {
  const payload = { sku: 'tea' };
  return sendHop(await estate.clientAs('orders'), 'inventory.get', payload, await hopHeaders(estate.signerOf(leaf), { audience: INVENTORY, subject: 'inventory.get', token: 'not.checked.yet', payload }));
}

async function writeBundle(...authorities: { certificatePem: string }[]): Promise<void> {
  await estate.replaceFile('ca.crt', authorities.map((authority) => authority.certificatePem).join(''));
  await estate.broker.reload();
  await estate.followed();
}

describe('L4: trust-bundle rollover at the receivers, without a restart', () => {
  it('L4: once the bundle gains a new CA, a leaf issued by it verifies at the STS and at inventory (refused before)', async () => {
    const nextOrders = await estate.issue('orders', { ca: newCa });
    await expect(callInventoryAs(nextOrders)).rejects.toMatchObject({ stage: 'exchange', type: 'certificate_untrusted' });
    expect(await hopToInventory(nextOrders)).toEqual({ ok: false, error: expect.objectContaining({ code: 'invalid_token', type: 'certificate_untrusted' }) });

    await writeBundle(estate.fabric.ca, newCa);
    await expect(callInventoryAs(nextOrders)).resolves.toMatchObject({ sku: 'tea' });
    // The old CA's leaves still pass while it is in the bundle (and their path is now cached).
    await expect(callInventoryAs(oldOrders)).resolves.toMatchObject({ sku: 'tea' });
  });

  it('L4: after every leaf is re-issued under the new CA, the old CA leaves the bundle: its leaves stop verifying, a cached path included, and orders flow on new-CA certificates', async () => {
    const renewed = new Map<string, IssuedCertificate>();
    for (const identity of [...WORKLOADS, 'admin'] as const) {
      const issued = await estate.issue(identity, { ca: newCa });
      renewed.set(identity, issued);
      await estate.replaceFile(`${identity}.key`, issued.privateKeyPem, 0o600);
      await estate.replaceFile(`${identity}.crt`, issued.certificatePem);
    }
    const broker = await issueCertificate(newCa, { commonName: 'nats', usage: 'server' });
    await estate.replaceFile('nats.key', broker.privateKeyPem, 0o600);
    await estate.replaceFile('nats.crt', broker.certificatePem);
    await estate.broker.reload();
    await estate.followed();
    await estate.closeClients(); // this file's own connections, made with old-CA leaves

    await writeBundle(newCa);
    expect(await hopToInventory(oldOrders)).toEqual({ ok: false, error: expect.objectContaining({ code: 'invalid_token', type: 'certificate_untrusted' }) });
    await expect(callInventoryAs(oldOrders)).rejects.toBeInstanceOf(OutboundRefusedError);

    const edge = await estate.outboundAs('edge');
    await expect(edge.call({ audience: ORDERS, subject: 'orders.create', payload: { sku: 'tea', quantity: 1 }, subjectToken: await estate.clientToken(), scope: 'orders:write' })).resolves.toMatchObject({ status: 'reserved' });

    // Every workload is on the broker with its new-CA certificate only.
    const expected = new Set([...renewed.values()].map((issued) => createHash('sha256').update(new X509Certificate(issued.certificatePem).raw).digest('hex')));
    const workloadCertificates = async () =>
      (await estate.broker.connections()).filter((c) => ['sts', 'orders', 'inventory'].some((w) => c.authorized_user === `spiffe://estate.local/${w}`)).map((c) => c.tls_peer_certs?.[0]?.cert_sha256 ?? '');
    // sts: link and microservice; orders: those and its outbound client; inventory: link and microservice.
    await estate.closeClients('orders'); // this file's own connections as orders are not orders'
    await eventually(3_000, async () => (await workloadCertificates()).length === 7);
    expect((await workloadCertificates()).filter((sha256) => !expected.has(sha256))).toEqual([]);
  });
});
