import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { createEdgeApp } from '../../apps/edge/src/create-edge-app.js';
import { EdgeIdentity } from '../../apps/edge/src/edge-identity.js';
import { loadEdgeConfig } from '../../apps/edge/src/edge-config.js';
import { freePort } from '../../test-support/free-port.js';
import { PROCESS_HOOK_TIMEOUT_MS } from '../../test-support/hook-timeout.js';
import { EDGE_AUDIENCE, eventually, LifecycleEstate } from './support/lifecycle-estate.js';

// SECURITY.md L6: a workload whose renewal is late reports not ready before its certificate
// expires. Orders serves /readyz on its operations port (OPS_PORT), the edge on its HTTP port; both
// with CERT_READY_MARGIN_S=10. A certificate valid for 14 more seconds is written as if it were the
// last renewal before the renewer stopped.

const MARGIN_S = 10; // seconds
const LIFETIME_S = 14; // seconds

let estate: LifecycleEstate;
let edge: INestApplication;
let edgeUrl: string;

beforeAll(async () => {
  estate = await LifecycleEstate.start({ ordersEnv: { OPS_PORT: '0', CERT_READY_MARGIN_S: String(MARGIN_S) } });
  const port = await freePort();
  edge = await createEdgeApp(
    loadEdgeConfig({
      ...estate.env({ CERT_READY_MARGIN_S: String(MARGIN_S) }),
      EDGE_PORT: String(port),
      AUTH_ISSUER: estate.issuer.issuer,
      AUTH_JWKS_URI: `${estate.issuer.issuer}/jwks`,
      EDGE_AUDIENCE,
    }),
  );
  edge.useLogger(false);
  await edge.listen(port, '127.0.0.1');
  edgeUrl = `http://127.0.0.1:${port}`;
  await eventually(10_000, async () => (await fetch(`${edgeUrl}/readyz`)).ok);
}, PROCESS_HOOK_TIMEOUT_MS);

afterAll(async () => {
  await edge?.close();
  await estate?.stop();
}, PROCESS_HOOK_TIMEOUT_MS);

async function readyz(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const answer = await fetch(`${url}/readyz`);
  return { status: answer.status, body: (await answer.json()) as Record<string, unknown> };
}

describe('L6: readiness turns false within the margin of expiry', () => {
  it('L6: orders\' /readyz (operations port) and the edge\'s /readyz turn 503 before the certificate expires, and 200 again once renewed', async () => {
    const opsUrl = `http://127.0.0.1:${estate.orders.operations!.port}`;
    expect(await readyz(opsUrl)).toEqual({ status: 200, body: { status: 'ready' } });
    expect((await fetch(`${opsUrl}/healthz`)).status).toBe(200);

    const notBefore = new Date(Date.now() - 1_000);
    const notAfter = new Date(notBefore.getTime() + (LIFETIME_S + 1) * 1000);
    await estate.renew('orders', await estate.issue('orders', { notBefore, notAfter }));
    const edgeLeaf = await estate.issue('edge', { notBefore, notAfter });
    await estate.replaceFile('edge.key', edgeLeaf.privateKeyPem, 0o600);
    await estate.replaceFile('edge.crt', edgeLeaf.certificatePem);
    await edge.get(EdgeIdentity).identity!.watcher.check();
    expect((await readyz(opsUrl)).status).toBe(200);
    expect((await readyz(edgeUrl)).status).toBe(200);

    await eventually(LIFETIME_S * 1000, async () => (await readyz(opsUrl)).status === 503);
    const flippedAt = Date.now();
    expect(flippedAt).toBeLessThan(notAfter.getTime());
    const ops = await readyz(opsUrl);
    expect(ops.body).toEqual({ status: 'not_ready', reasons: [expect.stringMatching(new RegExp(`^certificate expires in \\d+ s, under the ${MARGIN_S} s margin: not renewed$`))] });
    const atEdge = await readyz(edgeUrl);
    expect(atEdge.status).toBe(503);
    expect(JSON.stringify(atEdge.body)).toContain('the certificate is within its margin of expiry and not renewed');
    expect(JSON.stringify(atEdge.body)).not.toContain('.crt'); // no file names on the public port

    await estate.renew('orders', await estate.issue('orders'));
    const longLeaf = await estate.issue('edge');
    await estate.replaceFile('edge.key', longLeaf.privateKeyPem, 0o600);
    await estate.replaceFile('edge.crt', longLeaf.certificatePem);
    await edge.get(EdgeIdentity).identity!.watcher.check();
    expect(await readyz(opsUrl)).toEqual({ status: 200, body: { status: 'ready' } });
    expect((await readyz(edgeUrl)).status).toBe(200);
  }, 60_000);
});
