import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect } from '@nats-io/transport-node';
import { spiffeIdOf } from '#estate';
import { ESTATE_PERMISSIONS, type IdentityPermissions } from '../../scripts/nats/permission-table.js';
import { renderNatsConfig } from '../../scripts/nats/render-nats-config.js';
import { startNatsServer, type NatsSupervisor } from '../../scripts/nats/supervisor.js';
import { startEstateFabric, TEST_CONNECT_TIMEOUT_MS, type EstateFabric } from '../../test-support/estate-fabric.js';
import { publishRefusal, subscriptionRefusal } from '../../test-support/permission-violations.js';
import { PROCESS_HOOK_TIMEOUT_MS } from '../../test-support/hook-timeout.js';

// The broker configuration rendered from the permission table: what it must and must not say,
// and that an identity given nothing gets nothing (an absent permission section means "all").

const rendered = renderNatsConfig({
  host: '127.0.0.1',
  port: 4443,
  tls: { certFile: '/certs/nats.crt', keyFile: '/certs/nats.key', caFile: '/certs/ca.crt' },
  jetStreamDir: '/data',
});

describe('rendered nats-server configuration', () => {
  it('T2: maps users by certificate (verify_and_map), and every user is a SPIFFE ID of the trust domain', () => {
    expect(rendered).toMatch(/tls \{[^}]*verify_and_map: true[^}]*\}/);
    const users = [...rendered.matchAll(/user: "([^"]+)"/g)].map((match) => match[1]);
    expect(users).toEqual(['edge', 'sts', 'orders', 'inventory', 'admin'].map((name) => spiffeIdOf(name as 'edge')));
  });

  it('T1/T2: has no way in besides the certificate: no no_auth_user, no passwords, tokens, nkeys or accounts', () => {
    expect(rendered).not.toMatch(/no_auth_user|password|token|nkey|accounts|\$SYS/);
  });

  it('T5: client TLS is 1.3 only (min_version in the tls block); no handshake_first, which nats.js clients do not send', () => {
    expect(rendered).toMatch(/tls \{[^}]*min_version: "1\.3"[^}]*\}/);
    expect(rendered).not.toMatch(/handshake_first|cipher_suites|websocket|mqtt|leafnodes|http_port/);
  });

  it('T1: a pins file is included inside the tls block only when given', () => {
    expect(rendered).not.toContain('include');
    const pinned = renderNatsConfig({
      host: '127.0.0.1',
      port: 4443,
      tls: { certFile: '/certs/nats.crt', keyFile: '/certs/nats.key', caFile: '/certs/ca.crt' },
      jetStreamDir: '/data',
      pinsFile: '/certs/nats-pins.conf',
      configDir: '/etc/nats',
    });
    // nats-server joins include paths to the config file's folder, absolute ones too.
    expect(pinned).toMatch(/tls \{[^}]*include "\.\.\/\.\.\/certs\/nats-pins\.conf"\n\}/);
    const bare = { host: '127.0.0.1', port: 1, tls: { certFile: 'c', keyFile: 'k', caFile: 'a' }, jetStreamDir: '/d' };
    expect(renderNatsConfig({ ...bare, pinsFile: 'nats-pins.conf' })).toContain('include "nats-pins.conf"');
    expect(() => renderNatsConfig({ ...bare, pinsFile: '/certs/nats-pins.conf' })).toThrow(/configDir/);
    expect(() => renderNatsConfig({ ...bare, pinsFile: 'p"ins' })).toThrow(TypeError);
  });

  it('refuses values that could break out of a quoted string', () => {
    expect(() => renderNatsConfig({ host: '127.0.0.1', port: 1, tls: { certFile: 'a"b', keyFile: 'k', caFile: 'c' }, jetStreamDir: '/d' })).toThrow(TypeError);
  });

  it('T3: grants JetStream only for the identity\'s own bucket, and stream creation only to admin', () => {
    const edge = rendered.slice(rendered.indexOf(spiffeIdOf('edge')), rendered.indexOf(spiffeIdOf('sts')));
    expect(edge).toContain('"$KV.edge.>"');
    expect(edge).not.toMatch(/KV_orders|KV_sts|KV_inventory|STREAM\.CREATE|STREAM\.UPDATE|"\$JS\.API\.>"|"\$JS\.API\.INFO"/);
    const admin = rendered.slice(rendered.indexOf(spiffeIdOf('admin')));
    expect(admin).toContain('"$JS.API.STREAM.CREATE.KV_orders"');
    expect(admin).not.toMatch(/\$KV\./);
  });
});

describe('an identity given nothing gets nothing', () => {
  let fabric: EstateFabric;
  let bare: NatsSupervisor;

  const nothing: IdentityPermissions = {
    identity: 'inventory',
    publish: [],
    subscribe: [],
    allowResponses: false,
    kvBuckets: [],
    provisionsKvBuckets: [],
  };

  beforeAll(async () => {
    fabric = await startEstateFabric();
    const admin = ESTATE_PERMISSIONS.find((entry) => entry.identity === 'admin')!;
    bare = await startNatsServer({ tls: fabric.files('nats'), probe: fabric.files('admin'), permissions: [admin, nothing] });
  }, PROCESS_HOOK_TIMEOUT_MS);

  afterAll(async () => {
    await bare?.stop();
    await fabric?.stop();
  }, PROCESS_HOOK_TIMEOUT_MS);

  it('T3: empty publish and subscribe lists render as deny-all and the server enforces them', async () => {
    const config = renderNatsConfig({ host: '127.0.0.1', port: 1, tls: fabric.files('nats'), jetStreamDir: '/d', permissions: [nothing] });
    expect(config).toContain('publish: { deny: [">"] }');
    expect(config).toContain('subscribe: { deny: [">"] }');
    const connection = await connect({ servers: bare.url, tls: fabric.files('inventory'), timeout: TEST_CONNECT_TIMEOUT_MS, reconnect: false });
    try {
      expect((await publishRefusal(connection, 'anything.at.all')).operation).toBe('publish');
      expect((await subscriptionRefusal(connection.subscribe('>'))).operation).toBe('subscription');
      // T5: the advisories' "queue subscribe with deny rules" class: a queue does not get past deny.
      const queued = await subscriptionRefusal(connection.subscribe('orders.create', { queue: 'orders' }));
      expect([queued.operation, queued.subject, queued.queue]).toEqual(['subscription', 'orders.create', 'orders']);
      expect((await subscriptionRefusal(connection.subscribe('>', { queue: 'inventory' }))).queue).toBe('inventory');
    } finally {
      await connection.close();
    }
  });
});
