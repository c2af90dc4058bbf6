import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { connect, headers as natsHeaders } from '@nats-io/transport-node';
import { ClientProxyFactory, type ClientProxy } from '@nestjs/microservices';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { ACCESS_TOKEN_TYPE, clientProxyTransport, createHopProofSigner, createOutboundClient, OutboundRefusedError, SubjectToken, type OutboundClient } from '#binding';
import { loadEstateConfig, natsClientOptions, natsConnectionOptions, requestWithTimeout, spiffeIdOf, STS_ISSUER } from '#estate';
import { DpopClient } from '../../libs/binding/test-support/dpop-proofs.js';
import { EdgeProcess } from '../edge/edge-process.js';
import { call } from '../edge/http-call.js';
import { TestIssuer } from '../../libs/binding/test-support/test-issuer.js';
import { builtApp } from '../../test-support/built-app.js';
import { startEstateFabric, type EstateFabric } from '../../test-support/estate-fabric.js';
import { freePort } from '../../test-support/free-port.js';
import { PROCESS_HOOK_TIMEOUT_MS } from '../../test-support/hook-timeout.js';
import { forwardClientTokenInward } from '../../scripts/estate/forwarded-token.js';
import type { AppProcess } from '../../scripts/estate/app-process.js';
import { OtlpReceiver, type ReceivedSpan } from './support/otlp-receiver.js';
import { sampleOf, scrape } from './support/prometheus-text.js';

// SECURITY.md O1-O4 against the built apps as processes (`npm run build` first), each exporting
// over OTLP/HTTP (http/json) to a real receiver in this test, and serving Prometheus text on its
// operations port: one trace per order across edge, sts, orders and inventory; both walkthrough
// attacks as refused verification spans and counts; a spliced traceparent refused; and nothing
// exported that holds a token, a proof, a key or a nonce.

const SPAN_WAIT_MS = 25_000; // milliseconds; the built apps share two loaded cores with the rest of the suite
const KIND = { server: 2, producer: 4, consumer: 5 } as const;

let receiver: OtlpReceiver;
let fabric: EstateFabric;
let issuer: TestIssuer;
let edge: EdgeProcess;
/** A second edge with DPoP nonces required (E15), so nonces are made and the O4 scan looks for them. */
let nonceEdge: EdgeProcess | undefined;
let nonceEdgeOps = 0;
/** A third edge with the two standard switches the bench prices: no http instrumentation, no propagator. */
let bareEdge: EdgeProcess | undefined;
let edgeAudience = '';
let client: DpopClient;
let edgeClient: ClientProxy | undefined;
let auth: AppProcess;
let authUrl: string;
const services: AppProcess[] = [];
const ops: Record<'edge' | 'sts' | 'orders' | 'inventory', number> = { edge: 0, sts: 0, orders: 0, inventory: 0 };
let authOps = 0;
/** The operator's revoke command's output (its audit line is exported too: the O4 scan reads it). */
const operatorOutput: string[] = [];
/** Every token, proof and nonce this test saw on the wire: none may appear in anything exported (O4). */
const secrets = new Set<string>();

beforeAll(async () => {
  receiver = await OtlpReceiver.start();
  fabric = await startEstateFabric();
  const port = await freePort();
  edgeAudience = `http://localhost:${port}`;
  issuer = await new TestIssuer(edgeAudience).start();
  client = await DpopClient.create();
  for (const name of Object.keys(ops) as (keyof typeof ops)[]) ops[name] = await freePort();
  const otel = {
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_BSP_SCHEDULE_DELAY: '100',
    OTEL_METRIC_EXPORT_INTERVAL: '500',
  };
  const env = { ...fabric.env(), ...otel };
  services.push(
    builtApp('sts', { ...env, OPS_PORT: String(ops.sts), AUTH_ISSUER: issuer.issuer, AUTH_JWKS_URI: `${issuer.issuer}/jwks`, EDGE_AUDIENCE: edgeAudience, STS_KEYS_FILE: `${fabric.certsDir}/sts-keys.json` }),
    builtApp('inventory', { ...env, OPS_PORT: String(ops.inventory) }),
    builtApp('orders', { ...env, OPS_PORT: String(ops.orders) }),
  );
  await Promise.all(services.map((service) => service.start()));
  edge = await new EdgeProcess(port, { ...env, OPS_PORT: String(ops.edge), AUTH_ISSUER: issuer.issuer, AUTH_JWKS_URI: `${issuer.issuer}/jwks` }).start();
  // The authorization server too: HTTP server spans and its own operations port.
  const authPort = await freePort();
  authUrl = `http://127.0.0.1:${authPort}`;
  authOps = await freePort();
  auth = builtApp('auth', { ...otel, OPS_PORT: String(authOps), AUTH_PORT: String(authPort), AUTH_ISSUER: authUrl, EDGE_AUDIENCE: edgeAudience }, { url: `${authUrl}/.well-known/openid-configuration` });
  services.push(auth);
  await auth.start();
}, PROCESS_HOOK_TIMEOUT_MS);

afterAll(async () => {
  await edgeClient?.close();
  await nonceEdge?.stop();
  await bareEdge?.stop();
  await edge?.stop();
  for (const service of services) await service.stop();
  await issuer?.stop();
  await fabric?.stop();
  await receiver?.close();
}, PROCESS_HOOK_TIMEOUT_MS);

/** A fresh W3C traceparent whose trace id the test knows (the edge's HTTP span joins it). */
function traceparent(): { traceId: string; header: string } {
  const traceId = randomBytes(16).toString('hex');
  return { traceId, header: `00-${traceId}-${randomBytes(8).toString('hex')}-01` };
}

async function placeOrder(sub: string, trace: string, proofClient: DpopClient = client): Promise<{ status: number; body: Record<string, unknown> }> {
  const token = await issuer.mint({ sub, cnf: { jkt: client.jkt } });
  const url = `${edge.url}/v1/orders`;
  const proof = await proofClient.proof({ htm: 'POST', htu: url, token });
  secrets.add(token).add(proof);
  const answer = await call(url, { Authorization: `DPoP ${token}`, DPoP: proof, 'Content-Type': 'application/json', traceparent: trace }, 'POST', JSON.stringify({ sku: 'otel', quantity: 1 }));
  return { status: answer.status, body: answer.body };
}

async function eventually<T>(what: string, probe: () => T | undefined, seen: () => unknown = () => undefined): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() - started > SPAN_WAIT_MS) throw new Error(`timed out waiting for ${what}; seen: ${JSON.stringify(seen())}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const verification = (spans: ReceivedSpan[], hop: string): ReceivedSpan | undefined => spans.find((span) => span.name === `verify ${hop}`);

/** The operator's `npm run revoke` (dist/scripts/nats/revoke.js) against the test's fabric, as admin. */
function revoke(...args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [resolve('dist/scripts/nats/revoke.js'), ...args], { env: { PATH: process.env['PATH'] ?? '', ...fabric.env() }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      operatorOutput.push(output);
      done({ code, output });
    });
  });
}

/** The count of a Prometheus histogram's samples with these labels (`<name>_count`). */
async function histogramCount(port: number, name: string, labels: Readonly<Record<string, string>>): Promise<number> {
  return sampleOf(await scrape(port), `${name}_count`, labels);
}

describe('O1-O4: the built estate exports one trace per order, its refusals, and no secrets', () => {
  it('O2: one order is one trace with spans from edge, sts, orders and inventory, NATS hops as producer/consumer spans', async () => {
    const { traceId, header } = traceparent();
    const placed = await placeOrder('user-otel', header);
    expect(placed.status).toBe(201);
    const services = ['edge', 'sts', 'orders', 'inventory'];
    const spans = await eventually('the order trace from every service', () => {
      const trace = receiver.trace(traceId);
      const hops = ['edge', 'sts.exchange', 'orders.create', 'inventory.reserve'];
      // The edge's HTTP server span ends when the response is done, so it may come in a later batch.
      const server = trace.some((span) => span.service === 'edge' && span.kind === KIND.server);
      return server && services.every((service) => trace.some((span) => span.service === service)) && hops.every((hop) => verification(trace, hop) !== undefined) ? trace : undefined;
    }, () => receiver.spans.filter((span) => span.traceId === traceId || span.parentSpanId === '').map((span) => `${span.service}:${span.name}:${span.traceId.slice(0, 6)}`));
    // The edge's HTTP server span (the http instrumentation), joined to the client's trace context.
    expect(spans.find((span) => span.service === 'edge' && span.kind === KIND.server)).toBeDefined();
    // OpenTelemetry messaging conventions over NATS.
    for (const subject of ['sts.exchange', 'orders.create', 'inventory.reserve']) {
      const producer = spans.find((span) => span.kind === KIND.producer && span.attributes['messaging.destination.name'] === subject);
      const consumer = spans.find((span) => span.kind === KIND.consumer && span.attributes['messaging.destination.name'] === subject);
      expect(producer?.attributes['messaging.system']).toBe('nats');
      expect(consumer?.attributes['messaging.system']).toBe('nats');
      // The consumer span is the child of the producer span whose context the message carried.
      expect(consumer?.parentSpanId).toBe(producer?.spanId);
    }
    // Every check pipeline accepted, naming its caller and certificate.
    const ordersCheck = verification(spans, 'orders.create')!;
    expect(ordersCheck.attributes).toMatchObject({ 'binding.result': 'accepted', 'binding.caller.spiffe_id': spiffeIdOf('edge'), 'binding.thumbprint': expect.any(String) });
    expect(verification(spans, 'inventory.reserve')!.attributes).toMatchObject({ 'binding.result': 'accepted', 'binding.caller.spiffe_id': spiffeIdOf('orders') });
    expect(verification(spans, 'edge')!.attributes).toMatchObject({ 'binding.result': 'accepted', 'binding.thumbprint': client.jkt });
    // Sampled and the right services: each span came from the process its service.name names.
    expect(new Set(spans.map((span) => span.service))).toEqual(new Set(services));
  });

  it('O2: the authorization server\'s requests are HTTP server spans too (the http instrumentation under native ESM)', async () => {
    const { traceId, header } = traceparent();
    const discovery = await fetch(`${authUrl}/.well-known/openid-configuration`, { headers: { traceparent: header } });
    expect(discovery.status).toBe(200);
    const server = await eventually('the auth server span', () => receiver.trace(traceId).find((span) => span.service === 'auth' && span.kind === KIND.server));
    expect(server.attributes).toMatchObject({ 'http.request.method': 'GET' });
  });

  it('O1: attack 1, a stolen token with another DPoP key, is a refused verification span at the edge and counts once', async () => {
    const before = sampleOf(await scrape(ops.edge), 'binding_decisions_total', { hop: 'edge', result: 'refused', failure_type: 'confirmation_mismatch' });
    const { traceId, header } = traceparent();
    const thief = await DpopClient.create();
    const stolen = await placeOrder('user-victim', header, thief);
    expect({ status: stolen.status, error: stolen.body['error'] }).toEqual({ status: 401, error: 'invalid_token' });
    const refused = await eventually('the refused edge verification span', () => verification(receiver.trace(traceId), 'edge'));
    expect(refused.attributes).toMatchObject({ 'binding.result': 'refused', 'binding.failure_type': 'confirmation_mismatch', 'binding.error_code': 'invalid_token' });
    expect(refused.status).toBe(2); // ERROR
    expect(receiver.trace(traceId).some((span) => span.service !== 'edge')).toBe(false); // it never went inside
    expect(sampleOf(await scrape(ops.edge), 'binding_decisions_total', { hop: 'edge', result: 'refused', failure_type: 'confirmation_mismatch' })).toBe(before + 1);
  });

  it('O1: attack 2, the client token forwarded inward to orders.create, is a refused verification span at orders (token_signature) and counts once', async () => {
    const labels = { hop: 'orders.create', result: 'refused', failure_type: 'token_signature' };
    const before = sampleOf(await scrape(ops.orders), 'binding_decisions_total', labels);
    const token = await issuer.mint({ sub: 'user-forwarded', cnf: { jkt: client.jkt } });
    secrets.add(token);
    const outcome = await forwardClientTokenInward({ natsUrl: fabric.env()['NATS_URL']!, certsDir: fabric.certsDir }, token);
    expect(outcome).toMatchObject({ accepted: false, refusal: { code: 'invalid_token', type: 'token_signature' } });
    const refused = await eventually('the refused orders verification span', () =>
      receiver.spans.find((span) => span.name === 'verify orders.create' && span.attributes['binding.failure_type'] === 'token_signature'),
    );
    // The sender's certificate passed H3 before the token failed H8: the refusal names who sent it.
    expect(refused).toMatchObject({
      service: 'orders', status: 2,
      attributes: expect.objectContaining({ 'binding.result': 'refused', 'binding.error_code': 'invalid_token', 'binding.caller.spiffe_id': spiffeIdOf('edge'), 'binding.thumbprint': expect.any(String) }),
    });
    expect(sampleOf(await scrape(ops.orders), 'binding_decisions_total', labels)).toBe(before + 1);
    // The operations port serves the other O1 series too.
    const text = await scrape(ops.orders);
    for (const series of ['binding_verification_duration_bucket', 'binding_replay_claims_total', 'binding_exchange_cache_lookups_total', 'estate_certificate_expires_in', 'binding_revocations_in_force']) {
      expect(text).toContain(series);
    }
  });

  it('O2: a traceparent changed after signing is refused by orders (trace_context_mismatch); sent as signed, the same call passes', async () => {
    const edgeConfig = loadEstateConfig(fabric.env(), 'edge');
    const inner = ClientProxyFactory.create(natsClientOptions(edgeConfig));
    edgeClient = inner;
    await inner.connect();
    const signed = traceparent();
    const spliced = traceparent();
    let tamper = false;
    // The wire between the edge and orders: records every hop header (O4 scan), and in the attack
    // replaces the traceparent of orders.create after the proof was signed over it.
    const wire = {
      status: inner.status,
      send(pattern: string, record: { headers?: { get(name: string): string; set(name: string, value: string): void } }) {
        for (const name of ['Hop-Token', 'Hop-Proof']) if (record.headers?.get(name)) secrets.add(record.headers.get(name));
        if (tamper && pattern === 'orders.create') record.headers?.set('traceparent', spliced.header);
        return inner.send(pattern, record);
      },
    };
    const outbound: OutboundClient = createOutboundClient({
      transport: clientProxyTransport(wire as unknown as ClientProxy),
      signer: createHopProofSigner({ privateKey: edgeConfig.tls.key, certificateChainPem: edgeConfig.tls.cert }),
      stsAudience: STS_ISSUER,
      observer: { request: () => ({ headers: { traceparent: signed.header }, end: () => undefined }) },
    });
    const token = await issuer.mint({ sub: 'user-trace', cnf: { jkt: client.jkt } });
    secrets.add(token);
    const order = () =>
      outbound.call<Record<string, unknown>>({
        audience: spiffeIdOf('orders'), subject: 'orders.create', payload: { sku: 'otel', quantity: 1 },
        subjectToken: new SubjectToken(token, ACCESS_TOKEN_TYPE, Math.floor(Date.now() / 1000) + 300), scope: 'orders:write',
      });
    tamper = true;
    const refusal = await order().then(() => undefined, (error: unknown) => error);
    expect(refusal).toBeInstanceOf(OutboundRefusedError);
    expect(refusal).toMatchObject({ code: 'invalid_token', type: 'trace_context_mismatch' });
    tamper = false;
    await expect(order()).resolves.toMatchObject({ owner: 'user-trace', placedVia: [spiffeIdOf('edge')] });
    const refused = await eventually('the trace_context_mismatch verification span', () =>
      receiver.spans.find((span) => span.name === 'verify orders.create' && span.attributes['binding.failure_type'] === 'trace_context_mismatch'),
    );
    expect(refused.service).toBe('orders');
  });

  it('O2: a message without any header (no hop proof, no trace context) is refused by orders (missing_credentials) in a consumer span of its own, ended with the refusal', async () => {
    const bare = ClientProxyFactory.create(natsClientOptions(loadEstateConfig(fabric.env(), 'edge')));
    try {
      await bare.connect();
      const refusal = await requestWithTimeout(bare, 'orders.create', { sku: 'otel-bare', quantity: 1 }, SPAN_WAIT_MS).then(() => undefined, (error: unknown) => error);
      expect(refusal).toMatchObject({ code: 'invalid_token', type: 'missing_credentials' });
      // The span is exported only once ended: with the reply, as for a message that had headers.
      const consumer = await eventually('the refused consumer span of the header-less message', () =>
        receiver.spans.find((span) => span.kind === KIND.consumer && span.service === 'orders' && span.parentSpanId === '' && span.attributes['binding.failure_type'] === 'missing_credentials'),
      );
      expect(consumer).toMatchObject({ name: 'process orders.create', status: 2, attributes: expect.objectContaining({ 'binding.error_code': 'invalid_token' }) });
    } finally {
      await bare.close();
    }
  });

  it('O1: a revocation published by the operator is applied by every workload, each measuring the lag from publish to applied (Prometheus and OTLP)', async () => {
    const workloads = ['edge', 'sts', 'orders', 'inventory'] as const;
    const before = await Promise.all(workloads.map((workload) => histogramCount(ops[workload], 'binding_revocation_lag', { workload, source: 'live' })));
    // A real publish: the operator's command, on estate.revocations, kept by the REVOCATIONS stream.
    const revoked = await revoke('--jti', `obs-${randomBytes(8).toString('hex')}`, '--ttl', '60');
    expect(revoked.code).toBe(0);
    const deadline = Date.now() + SPAN_WAIT_MS;
    let after = before;
    while (Date.now() < deadline) {
      after = await Promise.all(workloads.map((workload) => histogramCount(ops[workload], 'binding_revocation_lag', { workload, source: 'live' })));
      if (after.every((count, index) => count === before[index]! + 1)) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // Heard live once by each workload, so one more lag sample each, labelled by workload and source.
    expect(after).toEqual(before.map((count) => count + 1));
    for (const workload of workloads) {
      const text = await scrape(ops[workload]);
      // The lag is a duration (never negative) in the histogram's buckets; the list holds it.
      expect(sampleOf(text, 'binding_revocation_lag_sum', { workload, source: 'live' })).toBeGreaterThanOrEqual(0);
      expect(sampleOf(text, 'binding_revocations_in_force', { workload })).toBeGreaterThanOrEqual(1);
    }
    // The same histogram over OTLP, from every workload.
    const lagOverOtlp = await eventually('the lag histogram over OTLP from every workload', () => {
      const services = new Set(receiver.points.filter((point) => point.metric === 'binding.revocation.lag' && point.attributes['source'] === 'live').map((point) => point.service));
      return workloads.every((workload) => services.has(workload)) ? services : undefined;
    });
    expect(lagOverOtlp.size).toBe(workloads.length);
  });

  it('O1, O3: a refused token exchange names its caller once the caller\'s certificate was validated, and says unknown before', async () => {
    const edgeConfig = loadEstateConfig(fabric.env(), 'edge');
    const token = await issuer.mint({ sub: 'user-sts-refusal', cnf: { jkt: client.jkt } });
    secrets.add(token);
    // 1. The edge's proof is valid but the subject token is not (its signature broken): refused at the
    //    subject stage, after the caller's certificate passed H3, so the refusal names the edge.
    const [header, body] = token.split('.');
    const forged = `${header}.${body}.${Buffer.from(randomBytes(64)).toString('base64url')}`;
    secrets.add(forged);
    const inner = ClientProxyFactory.create(natsClientOptions(edgeConfig));
    try {
      await inner.connect();
      // Records the hop headers it sends, for the O4 scan.
      const wire = {
        status: inner.status,
        send(pattern: string, record: { headers?: { get(name: string): string } }) {
          for (const name of ['Hop-Token', 'Hop-Proof']) if (record.headers?.get(name)) secrets.add(record.headers.get(name));
          return inner.send(pattern, record);
        },
      };
      const outbound: OutboundClient = createOutboundClient({
        transport: clientProxyTransport(wire as unknown as ClientProxy),
        signer: createHopProofSigner({ privateKey: edgeConfig.tls.key, certificateChainPem: edgeConfig.tls.cert }),
        stsAudience: STS_ISSUER,
      });
      const refusal = await outbound
        .call({ audience: spiffeIdOf('orders'), subject: 'orders.create', payload: { sku: 'otel', quantity: 1 }, subjectToken: new SubjectToken(forged, ACCESS_TOKEN_TYPE, Math.floor(Date.now() / 1000) + 300), scope: 'orders:write' })
        .then(() => undefined, (error: unknown) => error);
      expect(refusal).toMatchObject({ code: 'invalid_request', type: 'token_signature' });
    } finally {
      await inner.close();
    }
    const known = await eventually('the refused sts.exchange span naming the edge', () =>
      receiver.spans.find((span) => span.name === 'verify sts.exchange' && span.attributes['binding.result'] === 'refused' && span.attributes['binding.failure_type'] === 'token_signature'),
    );
    expect(known).toMatchObject({ service: 'sts', status: 2, attributes: expect.objectContaining({ 'binding.caller.spiffe_id': spiffeIdOf('edge'), 'binding.thumbprint': expect.any(String), 'binding.jti_hash': expect.any(String) }) });
    // 2. No hop proof at all: refused before any certificate was seen; the caller is unknown, and said so.
    const connection = await connect(natsConnectionOptions(edgeConfig));
    try {
      const request = { grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', subject_token: token, subject_token_type: ACCESS_TOKEN_TYPE, audience: spiffeIdOf('orders') };
      const answer = await connection.request('sts.exchange', JSON.stringify({ pattern: 'sts.exchange', data: request, id: `obs-${randomBytes(4).toString('hex')}` }), { timeout: 5_000, headers: natsHeaders() });
      expect(JSON.stringify(answer.json())).toContain('"type":"missing_proof"');
    } finally {
      await connection.close();
    }
    const unknown = await eventually('the refused sts.exchange span with no caller yet', () =>
      receiver.spans.find((span) => span.name === 'verify sts.exchange' && span.attributes['binding.failure_type'] === 'missing_proof'),
    );
    expect(unknown.attributes).toMatchObject({ 'binding.result': 'refused', 'binding.caller.spiffe_id': 'unknown' });
    expect(unknown.attributes['binding.thumbprint']).toBeUndefined();
  });

  it('O4: with DPoP nonces required (E15), an order through a second edge: its nonces are never exported either', async () => {
    const port = await freePort();
    nonceEdgeOps = await freePort();
    nonceEdge = await new EdgeProcess(port, {
      ...fabric.env(), OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_BSP_SCHEDULE_DELAY: '100', OTEL_METRIC_EXPORT_INTERVAL: '500',
      OPS_PORT: String(nonceEdgeOps), AUTH_ISSUER: issuer.issuer, AUTH_JWKS_URI: `${issuer.issuer}/jwks`, EDGE_AUDIENCE: edgeAudience,
      DPOP_NONCE: 'required', DPOP_NONCE_SECRET: randomBytes(32).toString('base64url'),
    }).start();
    const { traceId, header } = traceparent();
    const token = await issuer.mint({ sub: 'user-nonce', cnf: { jkt: client.jkt } });
    const url = `${nonceEdge.url}/v1/orders`;
    const send = async (nonce?: string) => {
      const proof = await client.proof({ htm: 'POST', htu: url, token, ...(nonce === undefined ? {} : { nonce }) });
      secrets.add(token).add(proof);
      return call(url, { Authorization: `DPoP ${token}`, DPoP: proof, 'Content-Type': 'application/json', traceparent: header }, 'POST', JSON.stringify({ sku: 'otel', quantity: 1 }));
    };
    // RFC 9449 §8: the first try is refused with use_dpop_nonce and a fresh nonce; the retry carries it.
    const first = await send();
    expect({ status: first.status, error: first.body['error'] }).toEqual({ status: 401, error: 'use_dpop_nonce' });
    const nonce = first.headers.get('dpop-nonce');
    expect(nonce).toEqual(expect.any(String));
    secrets.add(nonce!);
    const placed = await send(nonce!);
    expect(placed.status).toBe(201);
    if (placed.headers.get('dpop-nonce') !== null) secrets.add(placed.headers.get('dpop-nonce')!);
    // The order's trace arrived like any other (the scan below reads it).
    await eventually('the nonce edge\'s verification span', () => verification(receiver.trace(traceId), 'edge'));
  });

  it('O2: the standard switches: without the http instrumentation the edge has no HTTP server span, without a propagator no trace context crosses a hop, and the order (no traceparent, no oth) passes every check', async () => {
    const port = await freePort();
    bareEdge = await new EdgeProcess(port, {
      ...fabric.env(), OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_BSP_SCHEDULE_DELAY: '100',
      OTEL_SERVICE_NAME: 'edge-bare', OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'http', OTEL_PROPAGATORS: 'none', OTEL_METRICS_EXPORTER: 'none',
      AUTH_ISSUER: issuer.issuer, AUTH_JWKS_URI: `${issuer.issuer}/jwks`, EDGE_AUDIENCE: edgeAudience,
    }).start();
    const { traceId, header } = traceparent();
    const token = await issuer.mint({ sub: 'user-bare', cnf: { jkt: client.jkt } });
    const url = `${bareEdge.url}/v1/orders`;
    const proof = await client.proof({ htm: 'POST', htu: url, token });
    secrets.add(token).add(proof);
    const placed = await call(url, { Authorization: `DPoP ${token}`, DPoP: proof, 'Content-Type': 'application/json', traceparent: header }, 'POST', JSON.stringify({ sku: 'otel', quantity: 1 }));
    expect(placed.status).toBe(201);
    const ordersCall = (span: ReceivedSpan) => span.attributes['messaging.destination.name'] === 'orders.create';
    const accepted = (span: ReceivedSpan | undefined) => span?.attributes['binding.result'] === 'accepted';
    // The only call to orders.create without trace context that orders accepted (the other one, with no header at all, was refused).
    const [producer, consumer] = await eventually('the bare edge\'s producer span, and orders\' consumer span of a trace of its own with an accepted check', () => {
      const sent = receiver.spans.find((span) => span.service === 'edge-bare' && span.kind === KIND.producer && ordersCall(span));
      const received = receiver.spans.find((span) => span.service === 'orders' && span.kind === KIND.consumer && ordersCall(span) && span.parentSpanId === '' && accepted(verification(receiver.trace(span.traceId), 'orders.create')));
      return sent !== undefined && received !== undefined && verification(receiver.trace(sent.traceId), 'edge') !== undefined ? [sent, received] : undefined;
    }, () => receiver.spans.filter((span) => span.service === 'edge-bare' || (span.service === 'orders' && span.parentSpanId === '')).map((span) => `${span.service}:${span.name}:${span.traceId.slice(0, 6)}`));
    // No HTTP server span: the edge's verification span is the root of the request's trace, the
    // calls it made on the request's behalf (the exchange, the order) its children; the client's
    // traceparent was not read.
    const edgeSpans = receiver.spans.filter((span) => span.service === 'edge-bare');
    expect(edgeSpans.some((span) => span.kind === KIND.server)).toBe(false);
    const edgeCheck = verification(receiver.trace(producer.traceId), 'edge')!;
    expect(edgeCheck).toMatchObject({ parentSpanId: '', attributes: expect.objectContaining({ 'binding.result': 'accepted' }) });
    expect(edgeSpans.filter((span) => span.kind === KIND.producer).map((span) => [span.name, span.parentSpanId])).toEqual(
      expect.arrayContaining([['send sts.exchange', edgeCheck.spanId], ['send orders.create', edgeCheck.spanId]]),
    );
    expect(receiver.trace(traceId)).toEqual([]);
    // Nothing crossed the hop: orders' consumer span starts a trace of its own, and its checks accepted the message without `oth`.
    expect(consumer.traceId).not.toBe(producer.traceId);
    expect(verification(receiver.trace(consumer.traceId), 'orders.create')?.attributes).toMatchObject({ 'binding.result': 'accepted', 'binding.caller.spiffe_id': spiffeIdOf('edge') });
  });

  it('O3: one audit line per refusal, valid against the documented schema, with hop, failure type and trace id', async () => {
    const schema = JSON.parse(readFileSync('libs/estate/src/telemetry/audit-line.schema.json', 'utf8')) as object;
    const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);
    const lines = [edge, ...services]
      .flatMap((process) => process.output.split('\n'))
      .filter((line) => line.startsWith('{') && line.includes('"schema":"hybrid-estate.audit/1"'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    for (const line of lines) expect({ line, valid: validate(line), errors: validate.errors }).toMatchObject({ valid: true });
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ event: 'refusal', service: 'edge', hop: 'edge', failure_type: 'confirmation_mismatch', code: 'invalid_token', trace_id: expect.stringMatching(/^[0-9a-f]{32}$/) }),
        expect.objectContaining({ event: 'refusal', service: 'orders', hop: 'orders.create', failure_type: 'token_signature', caller: spiffeIdOf('edge') }),
        expect.objectContaining({ event: 'refusal', service: 'orders', hop: 'orders.create', failure_type: 'trace_context_mismatch' }),
        // The STS's refusals: the caller once its certificate was validated, `unknown` before.
        expect.objectContaining({ event: 'refusal', service: 'sts', hop: 'sts.exchange', failure_type: 'token_signature', code: 'invalid_request', caller: spiffeIdOf('edge'), thumbprint: expect.any(String) }),
        expect.objectContaining({ event: 'refusal', service: 'sts', hop: 'sts.exchange', failure_type: 'missing_proof', caller: 'unknown' }),
      ]),
    );
    // The operator's action: one revocation_published line, valid too, the revoked jti only hashed.
    const published = operatorOutput.flatMap((output) => output.split('\n')).filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(published).toEqual([expect.objectContaining({ event: 'revocation_published', revocation_kind: 'jti', revocation_value_hash: expect.any(String) })]);
    for (const line of published) expect({ line, valid: validate(line), errors: validate.errors }).toMatchObject({ valid: true });
  });

  it('O4: nothing exported (spans, metrics, audit lines, logs) holds token, proof, key or nonce bytes', async () => {
    // Let the last batches and metric pushes arrive.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    // Metrics arrived over OTLP too, from every service.
    expect(new Set(receiver.points.filter((point) => point.metric === 'binding.decisions').map((point) => point.service))).toEqual(new Set(['edge', 'sts', 'orders', 'inventory']));
    const exported = [
      ...receiver.bodies,
      ...(await Promise.all([...Object.values(ops), authOps, nonceEdgeOps].map((port) => scrape(port)))),
      edge.output,
      nonceEdge?.output ?? '',
      bareEdge?.output ?? '',
      ...services.map((service) => service.output),
      ...operatorOutput,
    ].join('\n');
    expect(receiver.bodies.length).toBeGreaterThan(0);
    // What this test saw on the wire: client tokens, DPoP proofs, internal tokens and hop proofs.
    expect(secrets.size).toBeGreaterThan(4);
    for (const secret of secrets) {
      expect(exported.includes(secret)).toBe(false);
      // Not even the signature part of one.
      expect(exported.includes(secret.split('.')[2]!)).toBe(false);
    }
    // Every private key of the estate (base64 of the PEM bodies), and the DPoP client's.
    for (const file of readdirSync(fabric.certsDir).filter((name) => name.endsWith('.key'))) {
      const body = readFileSync(join(fabric.certsDir, file), 'utf8').split('\n').filter((line) => line !== '' && !line.startsWith('-----'));
      for (const line of body) expect(exported.includes(line)).toBe(false);
    }
    // No JWS of any kind, no PEM, no private JWK member.
    expect(exported).not.toMatch(/eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\./);
    expect(exported).not.toMatch(/-----BEGIN [A-Z ]*PRIVATE KEY-----/);
    expect(exported).not.toMatch(/"d"\s*:\s*"/);
    expect(exported).not.toMatch(/DPoP-Nonce|"nonce"/i);
  });
});
