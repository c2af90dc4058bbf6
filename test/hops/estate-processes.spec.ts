import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { DpopClient } from '../../libs/binding/test-support/dpop-proofs.js';
import { EdgeProcess } from '../edge/edge-process.js';
import { freePort } from '../../test-support/free-port.js';
import { call } from '../edge/http-call.js';
import { TestIssuer } from '../../libs/binding/test-support/test-issuer.js';
import { startEstateFabric, type EstateFabric } from '../../test-support/estate-fabric.js';
import { builtApp } from '../../test-support/built-app.js';
import type { AppProcess } from '../../scripts/estate/app-process.js';
import { PROCESS_HOOK_TIMEOUT_MS } from '../../test-support/hook-timeout.js';

// The built apps as the operator runs them (node dist/apps/<app>/main.js, configured only by the
// environment), and the operator's revocation command (node dist/scripts/nats/revoke.js, what
// `npm run revoke` runs). Needs `npm run build` first.

function revoke(env: Record<string, string>, ...args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [resolve('dist/scripts/nats/revoke.js'), ...args], { env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => done({ code, output }));
  });
}

let fabric: EstateFabric;
let issuer: TestIssuer;
let edge: EdgeProcess;
let client: DpopClient;
const services: AppProcess[] = [];

beforeAll(async () => {
  fabric = await startEstateFabric();
  const port = await freePort();
  const edgeAudience = `http://localhost:${port}`;
  issuer = await new TestIssuer(edgeAudience).start();
  client = await DpopClient.create();
  const env = fabric.env();
  services.push(
    builtApp('sts', { ...env, AUTH_ISSUER: issuer.issuer, AUTH_JWKS_URI: `${issuer.issuer}/jwks`, EDGE_AUDIENCE: edgeAudience, STS_KEYS_FILE: `${fabric.certsDir}/sts-keys.json` }),
    builtApp('inventory', env),
    builtApp('orders', env),
  );
  await Promise.all(services.map((service) => service.start()));
  edge = await new EdgeProcess(port, { ...env, AUTH_ISSUER: issuer.issuer, AUTH_JWKS_URI: `${issuer.issuer}/jwks` }).start();
}, PROCESS_HOOK_TIMEOUT_MS);

afterAll(async () => {
  await edge?.stop();
  for (const service of services) await service.stop();
  await issuer?.stop();
  await fabric?.stop();
}, PROCESS_HOOK_TIMEOUT_MS);

async function order(sub: string, method: 'POST' | 'GET' = 'POST', id?: string) {
  const token = await issuer.mint({ sub, cnf: { jkt: client.jkt } });
  const url = `${edge.url}/v1/orders${id === undefined ? '' : `/${id}`}`;
  const headers: Record<string, string> = { Authorization: `DPoP ${token}`, DPoP: await client.proof({ htm: method, htu: url, token }) };
  if (method === 'POST') headers['Content-Type'] = 'application/json';
  return call(url, headers, method, method === 'POST' ? JSON.stringify({ sku: 'process', quantity: 3 }) : undefined);
}

describe('the built estate: edge, sts, orders, inventory as processes', () => {
  it('POST /v1/orders then GET /v1/orders/:id through every hop', async () => {
    const placed = await order('user-process');
    expect(placed.status).toBe(201);
    expect(placed.body).toMatchObject({ owner: 'user-process', sku: 'process', quantity: 3, placedVia: ['spiffe://estate.local/edge'] });
    const read = await order('user-process', 'GET', placed.body['id'] as string);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id: placed.body['id'] });
  });

  it('H12: npm run revoke -- --sub <user> (admin certificate) is applied by the running services within a second, the edge first', async () => {
    expect((await order('user-cli')).status).toBe(201);
    const revoked = await revoke(fabric.env(), '--sub', 'user-cli', '--ttl', '60');
    // The report line, then its O3 audit line (the end user only hashed).
    expect(revoked).toMatchObject({ code: 0, output: expect.stringMatching(/^revoked sub user-cli until .+ \(REVOCATIONS #\d+\)\n\{"schema":"hybrid-estate\.audit\/1",[^\n]*"event":"revocation_published"[^\n]*\}\n$/) });
    expect(revoked.output.split('\n')[1]).not.toContain('user-cli');
    const started = Date.now();
    let answer = await order('user-cli');
    while (answer.status !== 401 && Date.now() - started < 1_000) answer = await order('user-cli');
    // Refused at the door (the edge's own list), before any exchange or hop.
    expect({ status: answer.status, error: answer.body['error'] }).toEqual({ status: 401, error: 'invalid_token' });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect((await order('user-not-revoked')).status).toBe(201);
  });

  it('the revoke command refuses bad arguments and a workload\'s certificate', async () => {
    expect(await revoke(fabric.env(), '--cert', 'not-a-thumbprint')).toMatchObject({ code: 1, output: expect.stringMatching(/thumbprint/) });
    expect(await revoke(fabric.env(), '--user', 'x')).toMatchObject({ code: 1, output: expect.stringMatching(/usage/) });
    expect(await revoke(fabric.env({ NATS_CERT: `${fabric.certsDir}/orders.crt`, NATS_KEY: `${fabric.certsDir}/orders.key` }), '--sub', 'x')).toMatchObject({ code: 1 });
  });

  it('each service stops cleanly on SIGTERM', async () => {
    // Nest closes the app (NATS connections, feeds, timers), then re-raises the signal.
    for (const service of services.splice(0).reverse()) expect(await service.stop()).toEqual({ code: null, signal: 'SIGTERM' });
  });
});
