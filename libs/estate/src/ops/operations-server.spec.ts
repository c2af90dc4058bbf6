import { afterEach, describe, expect, it } from '@jest/globals';
import { createCertificateAuthority, issueCertificate } from '../../../../certs/pki.js';
import type { TlsIdentity } from '../config/tls-identity.js';
import { certificateReadiness } from './certificate-readiness.js';
import { OperationsServer } from './operations-server.js';
import { Readiness } from './readiness.js';

let server: OperationsServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function identityValidFor(seconds: number): Promise<TlsIdentity> {
  const ca = await createCertificateAuthority({ validityDays: 1 });
  const notBefore = new Date(Math.floor(Date.now() / 1000) * 1000);
  const issued = await issueCertificate(ca, { commonName: 'orders', spiffeId: 'spiffe://estate.local/orders', usage: 'client', notBefore, notAfter: new Date(notBefore.getTime() + seconds * 1000) });
  return { cert: issued.certificatePem, key: issued.privateKeyPem, ca: ca.certificatePem, certFile: 'orders.crt', keyFile: 'orders.key', caFile: 'ca.crt', notAfter: new Date(notBefore.getTime() + seconds * 1000) };
}

describe('certificateReadiness (L6)', () => {
  it('L6: ready with more than a quarter of the lifetime left by default; not ready under it, naming the time left', async () => {
    const identity = await identityValidFor(100);
    const start = identity.notAfter.getTime() - 100_000;
    let now = start;
    const check = certificateReadiness({ identity: () => identity, now: () => now });
    now = start + 74_000;
    expect(check()).toBeUndefined();
    now = start + 76_000;
    expect(check()).toBe('certificate expires in 24 s, under the 25 s margin: not renewed');
    now = start + 103_000;
    expect(check()).toMatch(/^certificate expired 3 s ago/);
  });

  it('L6: CERT_READY_MARGIN_S fixes the margin in seconds, and the reason says why the renewed files are not in use', async () => {
    const identity = await identityValidFor(100);
    const start = identity.notAfter.getTime() - 100_000;
    let now = start + 50_000;
    const check = certificateReadiness({ identity: () => identity, marginSeconds: 60, problem: () => 'NATS_KEY: orders.key does not match the certificate', now: () => now });
    expect(check()).toBe('certificate expires in 50 s, under the 60 s margin: not renewed (NATS_KEY: orders.key does not match the certificate)');
    now = start + 30_000;
    expect(check()).toBeUndefined();
  });
});

describe('OperationsServer (L6)', () => {
  it('L6: /healthz 200; /readyz 200, or 503 with the reasons; loopback only; other paths and methods refused', async () => {
    let reason: string | undefined;
    server = await OperationsServer.start({ port: 0, readiness: new Readiness().add('certificate', () => reason) });
    const url = `http://127.0.0.1:${server.port}`;
    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${url}/readyz`);
    expect([ready.status, ready.headers.get('cache-control'), await ready.json()]).toEqual([200, 'no-store', { status: 'ready' }]);
    reason = 'certificate expires in 3 s, under the 7 s margin: not renewed';
    const notReady = await fetch(`${url}/readyz`);
    expect([notReady.status, await notReady.json()]).toEqual([503, { status: 'not_ready', reasons: [reason] }]);
    expect((await fetch(`${url}/metrics`)).status).toBe(404);
    expect((await fetch(`${url}/readyz`, { method: 'POST' })).status).toBe(405);
    server.route('/metrics', (_request, response) => void response.end('# metrics'));
    expect(await (await fetch(`${url}/metrics`)).text()).toBe('# metrics');
  });
});
