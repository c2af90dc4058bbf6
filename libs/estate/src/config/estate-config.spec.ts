import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createPrivateKey } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCertificateAuthority, createIntermediateAuthority, issueCertificate, type Authority, type IssuedCertificate } from '../../../../certs/pki.js';
import { spiffeIdOf, type EstateIdentity } from '../identity/estate-identity.js';
import {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_HOP_REPLAY_MAX_ENTRIES,
  DEFAULT_HOP_REPLAY_MAX_PER_SENDER,
  DEFAULT_RECONNECT_WAIT_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  loadEstateConfig,
} from './estate-config.js';
import { EstateConfigError } from './estate-config-error.js';
import type { Env } from './env-variables.js';

// Configuration is validated once, at start-up: every mistake stops the app with a message that
// names the variable to fix, and never echoes key material.

let dir: string;
let ca: Authority;
const URL_ENV = { NATS_URL: 'tls://127.0.0.1:4443' };

async function write(name: string, issued: IssuedCertificate): Promise<void> {
  await writeFile(join(dir, `${name}.crt`), issued.certificatePem);
  await writeFile(join(dir, `${name}.key`), issued.privateKeyPem, { mode: 0o600 });
}

function client(identity: EstateIdentity | string, extra: Partial<Parameters<typeof issueCertificate>[1]> = {}, authority = ca) {
  const spiffeId = identity.startsWith('spiffe://') ? identity : spiffeIdOf(identity as EstateIdentity);
  return issueCertificate(authority, { commonName: identity, spiffeId, usage: 'client', ...extra });
}

function failure(env: Env, identity: EstateIdentity = 'edge', now?: Date): EstateConfigError {
  try {
    loadEstateConfig(env, identity, now === undefined ? {} : { now });
  } catch (error) {
    if (error instanceof EstateConfigError) return error;
    throw error;
  }
  throw new Error('configuration was accepted');
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'estate-config-'));
  ca = await createCertificateAuthority();
  await writeFile(join(dir, 'ca.crt'), ca.certificatePem);
  await write('edge', await client('edge'));
  await write('orders', await client('orders'));
  const rogueCa = await createCertificateAuthority({ commonName: 'rogue' });
  await write('rogue-edge', await client('edge', {}, rogueCa));
  await write('two-names', await client('edge', { extraUriSans: ['spiffe://estate.local/orders'] }));
  await write('expired', await client('edge', { notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2020-01-02T00:00:00Z') }));
  const intermediate = await createIntermediateAuthority(ca);
  const viaIntermediate = await client('edge', {}, intermediate);
  await write('chained', { ...viaIntermediate, certificatePem: viaIntermediate.certificatePem + intermediate.chainPem });
  await write('unchained', viaIntermediate);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadEstateConfig', () => {
  it('reads CERTS_DIR/<identity>.crt|.key and ca.crt into a frozen config with documented defaults', () => {
    const config = loadEstateConfig({ ...URL_ENV, CERTS_DIR: dir }, 'edge');
    expect(Object.isFrozen(config)).toBe(true);
    expect(config).toMatchObject({
      identity: 'edge',
      spiffeId: 'spiffe://estate.local/edge',
      servers: ['tls://127.0.0.1:4443'],
      connectTimeoutMs: DEFAULT_CONNECT_TIMEOUT_MS,
      requestTimeoutMs: DEFAULT_REQUEST_TIMEOUT_MS,
      reconnectWaitMs: DEFAULT_RECONNECT_WAIT_MS,
      hopReplay: { store: 'jetstream', maxEntries: DEFAULT_HOP_REPLAY_MAX_ENTRIES, maxEntriesPerSender: DEFAULT_HOP_REPLAY_MAX_PER_SENDER },
    });
    expect(config.tls.certFile).toBe(join(dir, 'edge.crt'));
    expect(config.tls.cert).toContain('BEGIN CERTIFICATE');
    // The key parses as a private key (the tree never holds key text, not even in a test).
    expect(createPrivateKey(config.tls.key).type).toBe('private');
    expect(config.tls.ca).toContain('BEGIN CERTIFICATE');
  });

  it('L6: CERT_READY_MARGIN_S and OPS_PORT are off unless set; set, they are whole seconds and a port (0: any free one)', () => {
    const env = { ...URL_ENV, CERTS_DIR: dir };
    expect(loadEstateConfig(env, 'orders')).toMatchObject({ certReadyMarginS: undefined, opsPort: undefined });
    expect(loadEstateConfig({ ...env, CERT_READY_MARGIN_S: '600', OPS_PORT: '9464' }, 'orders')).toMatchObject({ certReadyMarginS: 600, opsPort: 9464 });
    expect(loadEstateConfig({ ...env, OPS_PORT: '0' }, 'orders').opsPort).toBe(0);
    expect(failure({ ...env, CERT_READY_MARGIN_S: '25%' }, 'orders').message).toMatch(/^CERT_READY_MARGIN_S: must be an integer/);
    expect(failure({ ...env, OPS_PORT: '70000' }, 'orders').message).toMatch(/^OPS_PORT: must be an integer from 0 to 65535/);
  });

  it('H6: HOP_REPLAY_MAX_ENTRIES and HOP_REPLAY_MAX_PER_SENDER bound the receiver\'s replay store; a sender cap above the total is refused', () => {
    const env = { ...URL_ENV, CERTS_DIR: dir };
    expect(loadEstateConfig({ ...env, HOP_REPLAY_MAX_ENTRIES: '500000', HOP_REPLAY_MAX_PER_SENDER: '250000' }, 'orders').hopReplay).toEqual({ store: 'jetstream', maxEntries: 500_000, maxEntriesPerSender: 250_000 });
    // A total below the default per-sender cap lowers that cap with it.
    expect(loadEstateConfig({ ...env, HOP_REPLAY_MAX_ENTRIES: '5000' }, 'orders').hopReplay).toEqual({ store: 'jetstream', maxEntries: 5_000, maxEntriesPerSender: 5_000 });
    expect(() => loadEstateConfig({ ...env, HOP_REPLAY_MAX_ENTRIES: '10', HOP_REPLAY_MAX_PER_SENDER: '11' }, 'orders')).toThrow(
      new EstateConfigError('HOP_REPLAY_MAX_PER_SENDER', 'must be an integer from 1 to 10, got "11"'),
    );
    expect(() => loadEstateConfig({ ...env, HOP_REPLAY_MAX_ENTRIES: '0' }, 'orders')).toThrow(/^HOP_REPLAY_MAX_ENTRIES: must be an integer from 1 to 10000000/);
    expect(() => loadEstateConfig({ ...env, HOP_REPLAY_MAX_PER_SENDER: 'lots' }, 'orders')).toThrow(/^HOP_REPLAY_MAX_PER_SENDER: must be an integer/);
  });

  it('H6: HOP_REPLAY_STORE chooses the shared store (jetstream, the default) or this process (memory); anything else is refused', () => {
    const env = { ...URL_ENV, CERTS_DIR: dir };
    expect(loadEstateConfig(env, 'orders').hopReplay.store).toBe('jetstream');
    expect(loadEstateConfig({ ...env, HOP_REPLAY_STORE: 'memory' }, 'orders').hopReplay.store).toBe('memory');
    expect(() => loadEstateConfig({ ...env, HOP_REPLAY_STORE: 'redis' }, 'orders')).toThrow(/^HOP_REPLAY_STORE: /);
  });

  it('never serialises or prints the private key', () => {
    const config = loadEstateConfig({ ...URL_ENV, CERTS_DIR: dir }, 'edge');
    expect(JSON.stringify(config)).not.toContain('PRIVATE KEY');
    expect(Object.keys(config.tls)).not.toContain('key');
  });

  it('NATS_CERT / NATS_KEY / NATS_CA override CERTS_DIR file by file', () => {
    const config = loadEstateConfig(
      { ...URL_ENV, CERTS_DIR: '/nonexistent', NATS_CERT: join(dir, 'orders.crt'), NATS_KEY: join(dir, 'orders.key'), NATS_CA: join(dir, 'ca.crt') },
      'orders',
    );
    expect(config.tls.certFile).toBe(join(dir, 'orders.crt'));
  });

  it('accepts several servers and an intermediate sent along with the certificate', () => {
    const env = { NATS_URL: 'tls://a:4443, nats://b:4444', NATS_CERT: join(dir, 'chained.crt'), NATS_KEY: join(dir, 'chained.key'), NATS_CA: join(dir, 'ca.crt') };
    expect(loadEstateConfig(env, 'edge').servers).toEqual(['tls://a:4443', 'nats://b:4444']);
  });

  it.each([
    [{}, 'NATS_URL', /is required/],
    [{ NATS_URL: 'http://127.0.0.1:4443' }, 'NATS_URL', /must use tls:\/\/ or nats:\/\//],
    [{ NATS_URL: 'tls://user:secret@127.0.0.1:4443' }, 'NATS_URL', /must not carry credentials/],
    [{ NATS_URL: 'tls://127.0.0.1' }, 'NATS_URL', /needs a host and a port/],
    [{ NATS_URL: 'not a url' }, 'NATS_URL', /is not a URL/],
  ])('NATS_URL problems name NATS_URL (%j)', (env, variable, message) => {
    const error = failure({ CERTS_DIR: dir, ...env });
    expect(error.variable).toBe(variable);
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain('secret');
  });

  it('without CERTS_DIR each file variable is required, by name', () => {
    expect(failure({ ...URL_ENV }).message).toBe('NATS_CERT: is required (or set CERTS_DIR to a folder holding it)');
    expect(failure({ ...URL_ENV, NATS_CERT: join(dir, 'edge.crt') }).variable).toBe('NATS_KEY');
    expect(failure({ ...URL_ENV, NATS_CERT: join(dir, 'edge.crt'), NATS_KEY: join(dir, 'edge.key') }).variable).toBe('NATS_CA');
  });

  it('an unreadable file names the variable it came from and the path', () => {
    const derived = failure({ ...URL_ENV, CERTS_DIR: join(dir, 'missing') });
    expect(derived.message).toBe(`CERTS_DIR: cannot read ${join(dir, 'missing', 'edge.crt')} (ENOENT)`);
    const explicit = failure({ ...URL_ENV, CERTS_DIR: dir, NATS_CA: join(dir, 'nope.crt') });
    expect(explicit.variable).toBe('NATS_CA');
  });

  it('a certificate for another identity is refused: the URI SAN must be this service\'s SPIFFE ID', () => {
    const error = failure({ ...URL_ENV, NATS_CERT: join(dir, 'orders.crt'), NATS_KEY: join(dir, 'orders.key'), NATS_CA: join(dir, 'ca.crt') }, 'edge');
    expect(error.variable).toBe('NATS_CERT');
    expect(error.message).toMatch(/names spiffe:\/\/estate\.local\/orders, expected exactly spiffe:\/\/estate\.local\/edge/);
  });

  it('a certificate with two URI SANs is refused', () => {
    const error = failure({ ...URL_ENV, NATS_CERT: join(dir, 'two-names.crt'), NATS_KEY: join(dir, 'two-names.key'), NATS_CA: join(dir, 'ca.crt') });
    expect(error.message).toMatch(/names spiffe:\/\/estate\.local\/edge and spiffe:\/\/estate\.local\/orders/);
  });

  it('a key that does not match the certificate names NATS_KEY, without its content', () => {
    const error = failure({ ...URL_ENV, CERTS_DIR: dir, NATS_KEY: join(dir, 'orders.key') });
    expect(error.variable).toBe('NATS_KEY');
    expect(error.message).toMatch(/does not match the certificate/);
    const notAKey = failure({ ...URL_ENV, CERTS_DIR: dir, NATS_KEY: join(dir, 'ca.crt') });
    expect(notAKey.message).toBe(`NATS_KEY: ${join(dir, 'ca.crt')} holds no usable private key`);
  });

  it('T1: a certificate from another CA, or missing its intermediate, is refused at start-up', () => {
    const rogue = failure({ ...URL_ENV, CERTS_DIR: dir, NATS_CERT: join(dir, 'rogue-edge.crt'), NATS_KEY: join(dir, 'rogue-edge.key') });
    expect(rogue.variable).toBe('NATS_CERT');
    expect(rogue.message).toMatch(/is not issued by the CA in .*ca\.crt \(CERTS_DIR\)/);
    const unchained = failure({ ...URL_ENV, CERTS_DIR: dir, NATS_CERT: join(dir, 'unchained.crt'), NATS_KEY: join(dir, 'unchained.key') });
    expect(unchained.message).toMatch(/is not issued by the CA/);
  });

  it('T4: an expired or not-yet-valid certificate is refused at start-up', () => {
    const expired = failure({ ...URL_ENV, CERTS_DIR: dir, NATS_CERT: join(dir, 'expired.crt'), NATS_KEY: join(dir, 'expired.key') });
    expect(expired.message).toMatch(/NATS_CERT: .*expired\.crt expired at 2020-01-02T00:00:00\.000Z/);
    const early = failure({ ...URL_ENV, CERTS_DIR: dir }, 'edge', new Date('2000-01-01T00:00:00Z'));
    expect(early.message).toMatch(/CERTS_DIR: .*edge\.crt is not valid before/);
  });

  it.each([
    ['NATS_CONNECT_TIMEOUT_MS', '0'],
    ['NATS_CONNECT_TIMEOUT_MS', '5s'],
    ['NATS_REQUEST_TIMEOUT_MS', '-1'],
    ['NATS_RECONNECT_WAIT_MS', '999999999'],
  ])('%s=%s is refused by name', (variable, value) => {
    const error = failure({ ...URL_ENV, CERTS_DIR: dir, [variable]: value });
    expect(error.variable).toBe(variable);
    expect(error.message).toMatch(/must be an integer from/);
  });
});
