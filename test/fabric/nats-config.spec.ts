import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect } from '@nats-io/transport-node';
import { spiffeIdOf } from '#estate';
import { ESTATE_PERMISSIONS, type IdentityPermissions } from '../../scripts/nats/permission-table.js';
import { renderNatsConfig } from '../../scripts/nats/render-nats-config.js';
import { startNatsServer, type NatsSupervisor } from '../../scripts/nats/supervisor.js';
import { startEstateFabric, TEST_CONNECT_TIMEOUT_MS, type EstateFabric } from '../support/estate-fabric.js';
import { publishRefusal, subscriptionRefusal } from '../support/permission-violations.js';

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

  it('uses only keys nats-server 2.9.10 accepts (it refuses unknown tls keys)', () => {
    expect(rendered).not.toMatch(/handshake_first|min_version|ocsp|cipher_suites|curve_preferences/);
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
  });

  afterAll(async () => {
    await bare?.stop();
    await fabric?.stop();
  });

  it('T3: empty publish and subscribe lists render as deny-all and the server enforces them', async () => {
    const config = renderNatsConfig({ host: '127.0.0.1', port: 1, tls: fabric.files('nats'), jetStreamDir: '/d', permissions: [nothing] });
    expect(config).toContain('publish: { deny: [">"] }');
    expect(config).toContain('subscribe: { deny: [">"] }');
    const connection = await connect({ servers: bare.url, tls: fabric.files('inventory'), timeout: TEST_CONNECT_TIMEOUT_MS, reconnect: false });
    try {
      expect((await publishRefusal(connection, 'anything.at.all')).operation).toBe('publish');
      expect((await subscriptionRefusal(connection.subscribe('>'))).operation).toBe('subscription');
    } finally {
      await connection.close();
    }
  });
});
