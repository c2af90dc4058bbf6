import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect, type Msg, type NatsConnection } from '@nats-io/transport-node';
import { firstValueFrom } from 'rxjs';
import { loadEstateConfig, natsClientOptions, natsConnectionOptions, natsTlsOptions, RotatingClientNats, RotatingConnection, spiffeIdOf, type TlsIdentity } from '#estate';
import { issueCertificate } from '../../certs/pki.js';
import { PROCESS_HOOK_TIMEOUT_MS } from '../../test-support/hook-timeout.js';
import { startEstateFabric, type EstateFabric } from '../../test-support/estate-fabric.js';

// SECURITY.md L3 for the two caller-side seams, against a real mTLS broker: requests in flight
// when a renewal lands are answered on the connection they were sent on, which closes only after;
// new requests go out on the new connection. The responder answers each request 300 ms late, so
// every request of a burst is still waiting when the renewal is applied.

const SUBJECT = 'inventory.slow';
const DELAY_MS = 300; // milliseconds
const BURST = 50; // requests

let fabric: EstateFabric;
let responder: NatsConnection;

beforeAll(async () => {
  fabric = await startEstateFabric();
  // Inventory may serve inventory.> in its queue group; orders may publish inventory.*.
  responder = await connect(natsConnectionOptions(loadEstateConfig(fabric.env(), 'inventory')));
  responder.subscribe(SUBJECT, {
    queue: 'inventory',
    callback: (error, message: Msg) => {
      if (error !== null) return;
      setTimeout(() => {
        const request = message.json<{ id?: string; data?: unknown }>();
        // Nest's packets carry an id and expect { id, response, isDisposed }; plain requests get the data back.
        message.respond(JSON.stringify(request.id === undefined ? request : { id: request.id, response: request.data, isDisposed: true }));
      }, DELAY_MS);
    },
  });
  await responder.flush();
}, PROCESS_HOOK_TIMEOUT_MS);

afterAll(async () => {
  await responder?.close();
  await fabric?.stop();
}, PROCESS_HOOK_TIMEOUT_MS);

async function renewedOrdersTls(): Promise<ReturnType<typeof natsTlsOptions>> {
  const issued = await issueCertificate(fabric.ca, { commonName: 'orders', spiffeId: spiffeIdOf('orders'), usage: 'client' });
  const identity = { cert: issued.certificatePem, key: issued.privateKeyPem, ca: fabric.ca.certificatePem } as TlsIdentity;
  return natsTlsOptions(identity);
}

describe('L3: make-before-break on the caller side', () => {
  it('L3: RotatingClientNats: a burst in flight at the renewal is answered in full; new requests use the new connection; the old one closes after', async () => {
    const config = loadEstateConfig(fabric.env(), 'orders');
    const client = new RotatingClientNats(natsClientOptions(config).options, 5_000);
    await client.connect();
    try {
      const before = client.unwrap<NatsConnection>();
      const burst = Array.from({ length: BURST }, (_, index) => firstValueFrom(client.send<{ index: number }>(SUBJECT, { index })));
      await new Promise((resolve) => setTimeout(resolve, 50)); // published, not yet answered
      const rotated = client.rotate(await renewedOrdersTls());
      await new Promise((resolve) => setTimeout(resolve, 50));
      const after = client.unwrap<NatsConnection>();
      expect(after).not.toBe(before);
      expect(before.isClosed()).toBe(false); // still carrying the burst
      await expect(firstValueFrom(client.send(SUBJECT, { index: 'after' }))).resolves.toEqual({ index: 'after' });
      expect((await Promise.all(burst)).map((reply) => reply.index)).toEqual(Array.from({ length: BURST }, (_, index) => index));
      await rotated;
      expect(before.isClosed()).toBe(true);
    } finally {
      await client.close();
    }
  });

  it('L3: RotatingConnection: requests in flight at the renewal are answered; a callback subscription moves and keeps receiving; the old connection closes after', async () => {
    const rotating = await RotatingConnection.open(natsConnectionOptions(loadEstateConfig(fabric.env(), 'orders')), 5_000);
    const inventory = await RotatingConnection.open(natsConnectionOptions(loadEstateConfig(fabric.env(), 'inventory')), 5_000);
    try {
      const heard: string[] = [];
      const subscription = inventory.connection.subscribe('inventory.heard', { queue: 'inventory', callback: (error, message) => void (error === null && heard.push(message.string())) });
      await inventory.connection.flush();
      const before = rotating.current;
      const burst = Array.from({ length: BURST }, (_, index) => rotating.connection.request(SUBJECT, JSON.stringify({ index }), { timeout: 5_000 }));
      await new Promise((resolve) => setTimeout(resolve, 50));
      const rotated = rotating.rotate(await renewedOrdersTls());
      const inventoryBefore = inventory.current;
      await inventory.rotate(natsTlsOptions(loadEstateConfig(fabric.env(), 'inventory').tls));
      expect(inventory.current).not.toBe(inventoryBefore);
      expect(inventoryBefore.isClosed()).toBe(true);
      await rotating.connection.publish('inventory.heard', 'after the move');
      await rotating.connection.flush();
      expect((await Promise.all(burst)).map((reply) => reply.json<{ index: number }>().index)).toEqual(Array.from({ length: BURST }, (_, index) => index));
      await rotated;
      expect(rotating.current).not.toBe(before);
      expect(before.isClosed()).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(heard).toEqual(['after the move']);
      subscription.unsubscribe();
    } finally {
      await rotating.close();
      await inventory.close();
    }
  });
});
