import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DpopClient } from '../../libs/binding/test-support/dpop-proofs.js';
import { freePort } from '../../test-support/free-port.js';
import { EdgeProcess } from './edge-process.js';
import { call, callWithRawHeaders } from './http-call.js';
import { TestIssuer } from '../../libs/binding/test-support/test-issuer.js';
import { PROCESS_HOOK_TIMEOUT_MS } from '../../test-support/hook-timeout.js';

describe('edge over real HTTP (node dist/apps/edge/main.js)', () => {
  let issuer: TestIssuer;
  let edge: EdgeProcess;
  let nonceEdge: EdgeProcess;
  let client: DpopClient;
  let meUrl: string;

  beforeAll(async () => {
    const port = await freePort();
    const noncePort = await freePort();
    issuer = await new TestIssuer(`http://localhost:${port}`).start();
    client = await DpopClient.create();
    edge = await new EdgeProcess(port, { AUTH_ISSUER: issuer.issuer, AUTH_JWKS_COOLDOWN_S: '1' }).start();
    nonceEdge = await new EdgeProcess(noncePort, {
      AUTH_ISSUER: issuer.issuer,
      EDGE_AUDIENCE: `http://localhost:${port}`,
      AUTH_JWKS_COOLDOWN_S: '1',
      DPOP_NONCE: 'required',
      DPOP_NONCE_SECRET: 'k'.repeat(43),
    }).start();
    meUrl = `${edge.url}/v1/me`;
  }, PROCESS_HOOK_TIMEOUT_MS);

  afterAll(async () => {
    await edge?.stop();
    await nonceEdge?.stop();
    await issuer?.stop();
  }, PROCESS_HOOK_TIMEOUT_MS);

  const sent: string[] = [];

  async function boundToken(): Promise<string> {
    const token = await issuer.mint({ cnf: { jkt: client.jkt } });
    sent.push(token);
    return token;
  }

  it('E20: the happy path returns the principal and never the token', async () => {
    const token = await boundToken();
    const answer = await call(meUrl, { Authorization: `DPoP ${token}`, DPoP: await client.proof({ htm: 'GET', htu: meUrl, token }) });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ sub: 'user-42', client_id: 'test-client', scope: 'orders:read orders:write', confirmation: 'dpop', jkt: client.jkt });
    expect(JSON.stringify(answer.body)).not.toContain(token.split('.')[1]);
  });

  it('E13: an htu with a query, an upper-case host and the default port passes', async () => {
    const token = await boundToken();
    const htu = `HTTP://LOCALHOST:${edge.port}/v1/me?page=2#top`;
    const answer = await call(`${meUrl}?page=2`, { Authorization: `DPoP ${token}`, DPoP: await client.proof({ htm: 'GET', htu, token }) });
    expect(answer.status).toBe(200);
  });

  it('E16: a proof 8 s ahead and one 10 s old pass; one an hour old fails', async () => {
    const token = await boundToken();
    for (const iatOffset of [8, -10]) {
      const answer = await call(meUrl, { Authorization: `DPoP ${token}`, DPoP: await client.proof({ htm: 'GET', htu: meUrl, token, iatOffset }) });
      expect(answer.status).toBe(200);
    }
    const stale = await call(meUrl, { Authorization: `DPoP ${token}`, DPoP: await client.proof({ htm: 'GET', htu: meUrl, token, iatOffset: -3600 }) });
    expect(stale.status).toBe(401);
    expect(stale.body).toMatchObject({ error: 'invalid_dpop_proof' });
  });

  it('E5: a DPoP-bound token downgraded to Bearer is refused as invalid_token', async () => {
    const answer = await call(meUrl, { Authorization: `Bearer ${await boundToken()}` });
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ error: 'invalid_token' });
    expect(answer.headers.get('www-authenticate')).toMatch(/^DPoP error="invalid_token", error_description="[^"]*", algs="ES256 EdDSA PS256"$/);
  });

  it('E17: a replayed proof is refused', async () => {
    const token = await boundToken();
    const headers = { Authorization: `DPoP ${token}`, DPoP: await client.proof({ htm: 'GET', htu: meUrl, token }) };
    expect((await call(meUrl, headers)).status).toBe(200);
    const replay = await call(meUrl, headers);
    expect(replay.status).toBe(401);
    expect(replay.body).toMatchObject({ error: 'invalid_dpop_proof' });
  });

  it('E17: one proof sent 10 times at once succeeds exactly once', async () => {
    const token = await boundToken();
    const headers = { Authorization: `DPoP ${token}`, DPoP: await client.proof({ htm: 'GET', htu: meUrl, token }) };
    const answers = await Promise.all(Array.from({ length: 10 }, () => call(meUrl, headers)));
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(1);
    expect(answers.filter((answer) => answer.status === 401)).toHaveLength(9);
  });

  it('E2: two Authorization headers on the wire are 400 invalid_request', async () => {
    const token = await boundToken();
    const proof = await client.proof({ htm: 'GET', htu: meUrl, token });
    const answer = await callWithRawHeaders(meUrl, { Authorization: [`DPoP ${token}`, `DPoP ${token}`], DPoP: proof });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: 'invalid_request' });
  });

  it('E3: two DPoP headers on the wire are 400 invalid_request', async () => {
    const token = await boundToken();
    const proof = await client.proof({ htm: 'GET', htu: meUrl, token });
    const answer = await callWithRawHeaders(meUrl, { Authorization: `DPoP ${token}`, DPoP: [proof, proof] });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: 'invalid_request' });
  });

  it('E22: no credentials get a challenge without an error code', async () => {
    const answer = await call(meUrl, {});
    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toBe('DPoP algs="ES256 EdDSA PS256"');
  });

  it('E20: a proof made with another key than the token is bound to is invalid_token', async () => {
    const token = await boundToken();
    const thief = await DpopClient.create();
    const answer = await call(meUrl, { Authorization: `DPoP ${token}`, DPoP: await thief.proof({ htm: 'GET', htu: meUrl, token }) });
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ error: 'invalid_token' });
  });

  it('E18: the issuer rotates its keys and the edge follows without a restart', async () => {
    const before = issuer.jwksRequests;
    await issuer.rotate();
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // AUTH_JWKS_COOLDOWN_S=1
    const token = await boundToken();
    const answer = await call(meUrl, { Authorization: `DPoP ${token}`, DPoP: await client.proof({ htm: 'GET', htu: meUrl, token }) });
    expect(answer.status).toBe(200);
    expect(issuer.jwksRequests).toBeGreaterThan(before);
  });

  it('E15: nonce required: use_dpop_nonce with one DPoP-Nonce, then the retry with it passes', async () => {
    const url = `${nonceEdge.url}/v1/me`;
    const token = await boundToken();
    const first = await call(url, { Authorization: `DPoP ${token}`, DPoP: await client.proof({ htm: 'GET', htu: url, token }) });
    expect(first.status).toBe(401);
    expect(first.body).toMatchObject({ error: 'use_dpop_nonce' });
    const nonce = first.headers.get('dpop-nonce');
    expect(nonce).toMatch(/^[A-Za-z0-9_.~-]+$/);
    expect(first.headers.get('cache-control')).toBe('no-store');
    const retry = await call(url, { Authorization: `DPoP ${token}`, DPoP: await client.proof({ htm: 'GET', htu: url, token, nonce: nonce as string }) });
    expect(retry.status).toBe(200);
  });

  it('E25: after every request above, the edge logs hold no token, no proof signature and no key', async () => {
    const logs = edge.output + nonceEdge.output;
    expect(logs).toMatch(/refused http type=/); // the refusals were logged, by type
    for (const token of sent) {
      for (const segment of token.split('.')) expect(logs).not.toContain(segment);
    }
    expect(logs).not.toContain(String(client.publicJwk.x));
  });

  it('E26: protected-resource metadata requires DPoP and lists the algorithms', async () => {
    const answer = await call(`${edge.url}/.well-known/oauth-protected-resource`, {});
    expect(answer.body).toMatchObject({
      resource: edge.url,
      authorization_servers: [issuer.issuer],
      dpop_bound_access_tokens_required: true,
      dpop_signing_alg_values_supported: ['ES256', 'EdDSA', 'PS256'],
    });
  });
});
