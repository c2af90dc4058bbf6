import * as oauth from 'oauth4webapi';
import { calculateJwkThumbprint, decodeJwt, exportJWK, generateKeyPair } from 'jose';
import { MobileClient } from '#mobile';
import { forwardClientTokenInward } from './forwarded-token.js';
import { runLiveRenewal, type LiveRenewalTargets } from './live-renewal.js';
import { runReplicaSteps, type EdgeReplica } from './replica-steps.js';
import { randomBytes } from 'node:crypto';
import { renderTraceTree, type TraceSpan, type TraceViewer } from './trace-viewer.js';
import { expectThat, type WalkthroughReport } from './walkthrough-report.js';

export interface WalkthroughTargets {
  readonly authUrl: string;
  readonly edgeUrl: string;
  readonly mobileStateDir: string;
  /** The fabric, for attack 2 (a workload forwarding the client's token inward). */
  readonly natsUrl: string;
  readonly certsDir: string;
  /** The renewer and the running apps, to renew every certificate live after the first order. */
  readonly renewal?: Pick<LiveRenewalTargets, 'renewer' | 'apps'>;
  /** `--cluster`: the edge replicas, each called in turn and named in the report. */
  readonly edgeReplicas?: readonly EdgeReplica[];
  /** Where the apps' spans go (Jaeger, or the estate's receiver): the order's trace is printed (O2). */
  readonly traces?: TraceViewer;
}

/** How long the walkthrough waits for a trace's spans to arrive from every service. */
const TRACE_WAIT_MS = 8_000; // milliseconds

/** A W3C traceparent of the walkthrough's own, so it knows the trace id its request joins. */
function newTraceparent(): { traceId: string; traceparent: string } {
  const traceId = randomBytes(16).toString('hex');
  return { traceId, traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` };
}

/** The spans of a trace once `complete` holds for them (or what arrived by the deadline). */
async function spansOf(traces: TraceViewer, traceId: string, complete: (spans: readonly TraceSpan[]) => boolean): Promise<TraceSpan[]> {
  const deadline = Date.now() + TRACE_WAIT_MS;
  let spans: TraceSpan[] = [];
  while (Date.now() < deadline) {
    spans = await traces.spans(traceId).catch(() => []);
    if (complete(spans)) return spans;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return spans;
}

async function json(response: Response): Promise<Record<string, unknown>> {
  const text = await response.text();
  return text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
}

/**
 * The hybrid flow as a user and two attackers see it. The mobile client logs in through the real
 * login form (authorization code + PKCE + DPoP), calls the edge, places an order (edge -> STS
 * exchange -> orders -> inventory, each hop certificate-bound over mTLS NATS) and reads it back.
 * Then a thief who lifted the access token tries it with a key of his own, and a workload forwards
 * the client's token inward instead of exchanging it. Tokens are never printed: only
 * thumbprints, claims that carry no secret, and the services' answers.
 */
export async function runWalkthrough(report: WalkthroughReport, targets: WalkthroughTargets): Promise<void> {
  const { authUrl, edgeUrl } = targets;
  let mobile: MobileClient | undefined;

  report.heading('The mobile app (RFC 8252 native client, DPoP key in a 0600 file)');
  await report.run('log in as alice through the login form: code + PKCE S256 + DPoP', async () => {
    mobile = await MobileClient.open({ issuer: authUrl, resource: edgeUrl, stateDir: targets.mobileStateDir });
    const tokens = await mobile.login({ credentials: { username: 'alice', password: 'wonderland' } });
    const claims = decodeJwt(tokens.access_token);
    const cnf = claims['cnf'] as { jkt?: string } | undefined;
    expectThat(cnf?.jkt === mobile.thumbprint, 'the access token is not bound to the app key');
    return [
      `DPoP key thumbprint (RFC 7638): ${mobile.thumbprint}`,
      `access token: sub=${claims.sub} aud=${String(claims.aud)} scope="${String(claims['scope'])}" cnf.jkt=${cnf?.jkt}`,
    ].join('\n');
  });

  await report.run('GET /v1/me at the edge with a fresh DPoP proof (nonce retry included)', async () => {
    expectThat(mobile !== undefined, 'no logged-in client');
    const response = await mobile!.call(`${edgeUrl}/v1/me`);
    const body = await json(response);
    expectThat(response.status === 200, `expected 200, got ${response.status} ${JSON.stringify(body)}`);
    return `200 ${JSON.stringify(body)}`;
  });

  report.heading('An order: edge -> STS (RFC 8693) -> orders -> inventory over mTLS NATS');
  let orderId: string | undefined;
  const orderTrace = newTraceparent();
  await report.run('POST /v1/orders: the edge exchanges the token for one bound to its certificate', async () => {
    expectThat(mobile !== undefined, 'no logged-in client');
    const response = await mobile!.call(`${edgeUrl}/v1/orders`, {
      method: 'POST',
      // W3C trace context: the order's trace id is the walkthrough's (O2).
      headers: { 'content-type': 'application/json', traceparent: orderTrace.traceparent },
      body: JSON.stringify({ sku: 'tea', quantity: 2 }),
    });
    const body = await json(response);
    expectThat(response.status === 201 && typeof body['id'] === 'string', `expected 201 with an order id, got ${response.status} ${JSON.stringify(body)}`);
    orderId = body['id'] as string;
    return `201 ${JSON.stringify(body)}`;
  });
  await report.run('GET /v1/orders/:id reads it back, for its owner only', async () => {
    expectThat(orderId !== undefined, 'no order to read');
    const response = await mobile!.call(`${edgeUrl}/v1/orders/${orderId}`);
    const body = await json(response);
    expectThat(response.status === 200 && body['id'] === orderId, `expected 200 with order ${orderId}, got ${response.status} ${JSON.stringify(body)}`);
    return `200 ${JSON.stringify(body)}`;
  });

  const traces = targets.traces;
  if (traces !== undefined) {
    await report.run('the order is one trace across edge, sts, orders and inventory (O2), each hop verified', async () => {
      const services = ['edge', 'sts', 'orders', 'inventory'];
      const spans = await spansOf(traces, orderTrace.traceId, (arrived) =>
        services.every((service) => arrived.some((span) => span.service === service)) && arrived.filter((span) => span.name.startsWith('verify ')).length >= 5,
      );
      expectThat(services.every((service) => spans.some((span) => span.service === service)), `the trace lacks spans of ${services.filter((service) => !spans.some((span) => span.service === service)).join(', ')}`);
      const url = traces.urlOf(orderTrace.traceId);
      return [`trace ${orderTrace.traceId}${url === undefined ? '' : `: ${url}`}`, ...renderTraceTree(spans)].join('\n');
    });
  }

  if (targets.edgeReplicas !== undefined && targets.edgeReplicas.length > 1) await runReplicaSteps(report, mobile, targets.edgeReplicas);

  if (targets.renewal !== undefined) {
    await runLiveRenewal(report, {
      ...targets.renewal,
      natsUrl: targets.natsUrl,
      certsDir: targets.certsDir,
      placeOrder: async () => {
        expectThat(mobile !== undefined, 'no logged-in client');
        const response = await mobile!.call(`${edgeUrl}/v1/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sku: 'tea', quantity: 1 }) });
        await response.body?.cancel();
        return response.status;
      },
    });
  }

  report.heading('Attack 1: a stolen access token replayed with the thief\'s own DPoP key');
  await report.run('the edge refuses it: 401 invalid_token (cnf.jkt names another key, E20)', async () => {
    expectThat(mobile?.tokens !== undefined, 'no token to steal');
    const stolen = mobile!.tokens!.access_token;
    const thiefKeys = await generateKeyPair('ES256');
    const thiefJkt = await calculateJwkThumbprint(await exportJWK(thiefKeys.publicKey));
    const dpop = oauth.DPoP({}, thiefKeys);
    const thiefTrace = newTraceparent();
    const send = (): Promise<Response> =>
      oauth.protectedResourceRequest(stolen, 'GET', new URL(`${edgeUrl}/v1/me`), new Headers({ traceparent: thiefTrace.traceparent }), null, {
        DPoP: dpop,
        [oauth.allowInsecureRequests]: true,
      });
    // The thief plays by the rules he can: he answers the edge's nonce challenge too.
    const response = await send()
      .catch((error: unknown) => (oauth.isDPoPNonceError(error) ? send() : Promise.reject(error)))
      .catch((error: unknown) => (error instanceof oauth.WWWAuthenticateChallengeError ? error.response : Promise.reject(error)));
    const body = await json(response);
    expectThat(response.status === 401 && body['error'] === 'invalid_token', `expected 401 invalid_token, got ${response.status} ${JSON.stringify(body)}`);
    const lines = [`thief key thumbprint: ${thiefJkt}`, `${response.status} ${response.headers.get('www-authenticate')}`];
    if (traces !== undefined) {
      // O1: the refusal is a verification span with its failure type (and a count, and an audit line).
      // (The first refusal of the thief's trace may be the nonce challenge he then answered.)
      const binding = (span: TraceSpan): boolean => span.outcome.startsWith('refused') && !span.outcome.includes('nonce');
      const spans = await spansOf(traces, thiefTrace.traceId, (arrived) => arrived.some(binding));
      const refused = spans.find(binding);
      expectThat(refused !== undefined, 'no refused verification span in the thief\'s trace');
      lines.push(`trace ${thiefTrace.traceId}: ${refused!.service} ${refused!.name} ${refused!.outcome}${traces.urlOf(thiefTrace.traceId) === undefined ? '' : ` (${traces.urlOf(thiefTrace.traceId)})`}`);
    }
    return lines.join('\n');
  });

  report.heading('Attack 2: the client\'s DPoP token forwarded inward, skipping the exchange');
  await report.run('orders refuses it, though the sender holds the edge\'s real certificate and key', async () => {
    expectThat(mobile?.tokens !== undefined, 'no token to forward');
    const outcome = await forwardClientTokenInward(targets, mobile!.tokens!.access_token);
    expectThat(!outcome.accepted, 'orders ACCEPTED the client\'s token: no internal hop may');
    const refusal = outcome.accepted ? {} : outcome.refusal;
    expectThat(refusal['code'] === 'invalid_token', `expected invalid_token, got ${JSON.stringify(refusal)}`);
    return [
      `orders.create over NATS as spiffe://…/edge, hop proof signed with the edge's key`,
      `refused: ${JSON.stringify(refusal)}`,
      'orders trusts only the STS\'s signing keys (H8); and inside, only x5t#S256 binds a token, never cnf.jkt (H10)',
    ].join('\n');
  });
}
