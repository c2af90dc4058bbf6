import { describe, expect, it } from '@jest/globals';
import { Transport } from '@nestjs/microservices';
import type { EstateConfig } from '../config/estate-config.js';
import type { Workload } from '../identity/estate-identity.js';
import { natsClientOptions, natsConnectionOptions, natsMicroserviceOptions } from './nats-connection-options.js';
import { natsRecord } from './nats-record.js';

const config: EstateConfig<Workload> = Object.freeze({
  identity: 'orders',
  spiffeId: 'spiffe://estate.local/orders',
  servers: Object.freeze(['tls://127.0.0.1:4443']),
  tls: Object.freeze({ cert: 'CERT', key: 'KEY', ca: 'CA', certFile: 'c', keyFile: 'k', caFile: 'a', notAfter: new Date(0) }),
  connectTimeoutMs: 1_500,
  requestTimeoutMs: 2_000,
  reconnectWaitMs: 250,
  hopReplay: Object.freeze({ store: 'memory', maxEntries: 1_000, maxEntriesPerSender: 500 }),
});

describe('NATS options from the estate config', () => {
  it('connect with the own certificate, the own inbox prefix, a short connect timeout, endless reconnects and no stack trace captured per request', () => {
    expect(natsConnectionOptions(config)).toEqual({
      servers: ['tls://127.0.0.1:4443'],
      name: 'orders',
      tls: { cert: 'CERT', key: 'KEY', ca: 'CA' },
      inboxPrefix: '_INBOX.orders',
      timeout: 1_500,
      reconnect: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      waitOnFirstConnect: false,
      ignoreAuthErrorAbort: false,
      pingInterval: 10_000,
      maxPingOut: 3,
      noAsyncTraces: true,
    });
  });

  it('a fresh object each time, so a client that mutates its options cannot affect another', () => {
    const first = natsConnectionOptions(config);
    expect(natsConnectionOptions(config)).not.toBe(first);
    expect(natsConnectionOptions(config).servers).not.toBe(first.servers);
  });

  it('the Nest microservice serves in the workload\'s queue group; the client proxy has none', () => {
    const server = natsMicroserviceOptions(config);
    expect(server.transport).toBe(Transport.NATS);
    expect(server.options).toMatchObject({ queue: 'orders', inboxPrefix: '_INBOX.orders' });
    const client = natsClientOptions(config);
    expect(client.transport).toBe(Transport.NATS);
    expect(client.options).not.toHaveProperty('queue');
    expect(client.options).toMatchObject({ inboxPrefix: '_INBOX.orders' });
  });

  it('natsRecord carries each header once', () => {
    const record = natsRecord({ id: 1 }, { 'Hop-Token': 't', 'Hop-Proof': 'p' });
    expect(record.data).toEqual({ id: 1 });
    expect(record.headers.values('Hop-Token')).toEqual(['t']);
    expect(record.headers.get('Hop-Proof')).toBe('p');
  });
});
