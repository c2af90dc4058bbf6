import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { createHopProofSigner, JWT_TOKEN_TYPE, type HopProofSigner } from '#binding';
import { spiffeIdOf } from '#estate';
import { signInternalToken } from '../../apps/sts/src/exchange/internal-token.js';
import { createCertificateAuthority, issueCertificate } from '../../certs/pki.js';
import { TestIssuer } from '../../libs/binding/test-support/test-issuer.js';
import { exchangeAtSts, type ExchangeOutcome } from './support/exchange.js';
import { EDGE, EDGE_AUDIENCE, HopEstate, INVENTORY, ORDERS, STS } from './support/hop-estate.js';
import type { ClientProxy } from '@nestjs/microservices';
import { PROCESS_HOOK_TIMEOUT_MS } from '../../test-support/hook-timeout.js';

// The STS over NATS, real apps and fabric: RFC 8693 semantics, its policy, the subject token checks
// for both kinds of token, the caller's authentication by hop proof, revocation, key rotation.

let estate: HopEstate;
let edge: { client: ClientProxy; signer: HopProofSigner };
let orders: { client: ClientProxy; signer: HopProofSigner };
const JKT = { jkt: 'client-key-thumbprint-0000000000000000000000' };

beforeAll(async () => {
  estate = await HopEstate.start();
  edge = { client: await estate.clientAs('edge'), signer: await estate.signerOf('edge') };
  orders = { client: await estate.clientAs('orders'), signer: await estate.signerOf('orders') };
}, PROCESS_HOOK_TIMEOUT_MS);

afterAll(async () => {
  await estate?.stop();
}, PROCESS_HOOK_TIMEOUT_MS);

function refused(outcome: ExchangeOutcome, code: string, type: string): void {
  expect(outcome.ok ? 'granted' : outcome.error).toEqual({ code, type, status: expect.any(Number), message: expect.any(String) });
}

function granted(outcome: ExchangeOutcome): string {
  if (!outcome.ok) throw new Error(`exchange refused: ${JSON.stringify(outcome.error)}`);
  return outcome.response.access_token;
}

/** An internal token minted with the STS's own current key: what the STS would issue if it were wrong. */
async function stsMinted(claims: Record<string, unknown>): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return signInternalToken({ iss: STS, sub: 'user-42', iat: now, exp: now + 60, jti: `minted-${now}-${Math.random()}`, scope: 'orders:read orders:write', ...claims }, estate.sts.keys.current);
}

describe('RFC 8693 exchange at the STS', () => {
  it('answers access_token, issued_token_type, token_type, expires_in, scope', async () => {
    const outcome = await exchangeAtSts(edge.client, edge.signer, { subjectToken: await estate.issuer.mint({ cnf: JKT }), audience: ORDERS, scope: 'orders:read' });
    expect(outcome).toEqual({ ok: true, response: { access_token: expect.any(String), issued_token_type: JWT_TOKEN_TYPE, token_type: 'N_A', expires_in: 60, scope: 'orders:read' } });
  });

  it('H13: a request that is not an exchange is invalid_request', async () => {
    refused(await exchangeAtSts(edge.client, edge.signer, { subjectToken: await estate.issuer.mint({ cnf: JKT }), extra: { grant_type: 'client_credentials' } }), 'invalid_request', 'exchange_invalid_request');
    refused(await exchangeAtSts(edge.client, edge.signer, { subjectToken: await estate.issuer.mint({ cnf: JKT }), extra: { actor_token: 'x' } }), 'invalid_request', 'exchange_invalid_request');
  });

  it('H13, RFC 8693 §2.2.2: a resource is invalid_target (this STS issues for audiences only), and so are several audiences; one audience passes', async () => {
    refused(await exchangeAtSts(edge.client, edge.signer, { subjectToken: await estate.issuer.mint({ cnf: JKT }), extra: { resource: 'https://orders.estate.local' } }), 'invalid_target', 'exchange_invalid_target');
    refused(await exchangeAtSts(edge.client, edge.signer, { subjectToken: await estate.issuer.mint({ cnf: JKT }), extra: { audience: [ORDERS, INVENTORY] } }), 'invalid_target', 'exchange_invalid_target');
    granted(await exchangeAtSts(edge.client, edge.signer, { subjectToken: await estate.issuer.mint({ cnf: JKT }), audience: ORDERS }));
  });

  it('lifetime capped by the subject token: a client token with 20 s left gives an internal token of 20 s', async () => {
    const token = granted(await exchangeAtSts(edge.client, edge.signer, { subjectToken: await estate.issuer.mint({ cnf: JKT, expiresIn: 20 }), audience: ORDERS }));
    const claims = decodeJwt(token);
    expect(claims.exp! - claims.iat!).toBeLessThanOrEqual(20);
    expect(claims.exp! - claims.iat!).toBeGreaterThanOrEqual(19);
  });
});

describe('the exchange policy', () => {
  it('H11/H13: an exchange outside the STS policy: the edge may not obtain a token for inventory (invalid_target)', async () => {
    refused(await exchangeAtSts(edge.client, edge.signer, { subjectToken: await estate.issuer.mint({ cnf: JKT }), audience: INVENTORY }), 'invalid_target', 'exchange_invalid_target');
  });

  it('H10/H13: only the edge may present the external issuer\'s DPoP-bound token: from orders it is unacceptable by policy, invalid_request (confirmation_method)', async () => {
    refused(await exchangeAtSts(orders.client, orders.signer, { subjectToken: await estate.issuer.mint({ cnf: JKT }), audience: INVENTORY }), 'invalid_request', 'confirmation_method');
    granted(await exchangeAtSts(edge.client, edge.signer, { subjectToken: await estate.issuer.mint({ cnf: JKT }), audience: ORDERS }));
  });


  it('H13: scope no wider than the subject token\'s, nor the ceiling (invalid_scope)', async () => {
    refused(await exchangeAtSts(edge.client, edge.signer, { subjectToken: await estate.issuer.mint({ cnf: JKT, scope: 'orders:read' }), audience: ORDERS, scope: 'orders:write' }), 'invalid_scope', 'exchange_invalid_scope');
    refused(await exchangeAtSts(edge.client, edge.signer, { subjectToken: await estate.issuer.mint({ cnf: JKT, scope: 'orders:read admin' }), audience: ORDERS, scope: 'admin' }), 'invalid_scope', 'exchange_invalid_scope');
    const narrowed = granted(await exchangeAtSts(edge.client, edge.signer, { subjectToken: await estate.issuer.mint({ cnf: JKT, scope: 'orders:read admin' }), audience: ORDERS }));
    expect(decodeJwt(narrowed).scope).toBe('orders:read');
  });
});

describe('the subject token, external (from the edge)', () => {
  it('H10/H13: an unbound subject token (no cnf.jkt) is invalid_request: the edge only ever holds DPoP-bound ones', async () => {
    refused(await exchangeAtSts(edge.client, edge.signer, { subjectToken: await estate.issuer.mint({}), audience: ORDERS }), 'invalid_request', 'unbound_token');
  });

  it('H8/H13: an expired subject token is invalid_request', async () => {
    refused(await exchangeAtSts(edge.client, edge.signer, { subjectToken: await estate.issuer.mint({ cnf: JKT, expiresIn: -30 }), audience: ORDERS }), 'invalid_request', 'token_expired');
  });

  it('H10/H13: a certificate-bound token passed off as the external one is invalid_request (confirmation method)', async () => {
    refused(await exchangeAtSts(edge.client, edge.signer, { subjectToken: await estate.issuer.mint({ cnf: { 'x5t#S256': edge.signer.certificateThumbprint } }), audience: ORDERS }), 'invalid_request', 'confirmation_method');
  });

  it('H9/H8/H13: a token for another audience, or from another issuer\'s keys, is invalid_request', async () => {
    refused(await exchangeAtSts(edge.client, edge.signer, { subjectToken: await estate.issuer.mint({ cnf: JKT, aud: 'https://elsewhere.example' }), audience: ORDERS }), 'invalid_request', 'token_audience');
    const forger = await new TestIssuer(EDGE_AUDIENCE).start();
    try {
      const forged = await forger.mint({ cnf: JKT, iss: estate.issuer.issuer });
      refused(await exchangeAtSts(edge.client, edge.signer, { subjectToken: forged, audience: ORDERS }), 'invalid_request', 'token_signature');
    } finally {
      await forger.stop();
    }
  });
});

describe('the subject token, internal (re-exchanged further in)', () => {
  it('H13: orders re-exchanges the token it received for inventory; the STS nests act', async () => {
    const forOrders = granted(await exchangeAtSts(edge.client, edge.signer, { subjectToken: await estate.issuer.mint({ cnf: JKT }), audience: ORDERS }));
    const forInventory = granted(await exchangeAtSts(orders.client, orders.signer, { subjectToken: forOrders, subjectTokenType: JWT_TOKEN_TYPE, audience: INVENTORY }));
    expect(decodeJwt(forInventory)).toMatchObject({ aud: INVENTORY, act: { sub: ORDERS, act: { sub: EDGE } }, cnf: { 'x5t#S256': orders.signer.certificateThumbprint } });
  });

  it('H9/H13: a token issued for orders may be exchanged only by orders: the edge (its cnf holder) presenting it is invalid_request', async () => {
    const forOrders = granted(await exchangeAtSts(edge.client, edge.signer, { subjectToken: await estate.issuer.mint({ cnf: JKT }), audience: ORDERS }));
    refused(await exchangeAtSts(edge.client, edge.signer, { subjectToken: forOrders, subjectTokenType: JWT_TOKEN_TYPE, audience: ORDERS }), 'invalid_request', 'token_audience');
  });

  it('H9/H13: a token issued for inventory, presented by orders, is invalid_request (a stolen token cannot be re-exchanged)', async () => {
    const forOrders = granted(await exchangeAtSts(edge.client, edge.signer, { subjectToken: await estate.issuer.mint({ cnf: JKT }), audience: ORDERS }));
    const forInventory = granted(await exchangeAtSts(orders.client, orders.signer, { subjectToken: forOrders, subjectTokenType: JWT_TOKEN_TYPE, audience: INVENTORY }));
    refused(await exchangeAtSts(orders.client, orders.signer, { subjectToken: forInventory, subjectTokenType: JWT_TOKEN_TYPE, audience: INVENTORY }), 'invalid_request', 'token_audience');
  });

  it('H10/H13: an unbound internal subject token is invalid_request', async () => {
    const unbound = await stsMinted({ aud: ORDERS, act: { sub: EDGE } });
    refused(await exchangeAtSts(orders.client, orders.signer, { subjectToken: unbound, subjectTokenType: JWT_TOKEN_TYPE, audience: INVENTORY }), 'invalid_request', 'unbound_token');
  });

  it('H8/H13: an expired internal subject token is invalid_request', async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await stsMinted({ aud: ORDERS, act: { sub: EDGE }, cnf: { 'x5t#S256': edge.signer.certificateThumbprint }, iat: now - 120, exp: now - 60 });
    refused(await exchangeAtSts(orders.client, orders.signer, { subjectToken: expired, subjectTokenType: JWT_TOKEN_TYPE, audience: INVENTORY }), 'invalid_request', 'token_expired');
  });

  it('H8/H13: the external issuer\'s token declared as an internal one is invalid_request (signature)', async () => {
    refused(await exchangeAtSts(orders.client, orders.signer, { subjectToken: await estate.issuer.mint({ cnf: JKT, aud: ORDERS }), subjectTokenType: JWT_TOKEN_TYPE, audience: INVENTORY }), 'invalid_request', 'token_signature');
  });
});

describe('the caller, authenticated by its hop proof', () => {
  it('a proof over another subject token (ath) is invalid_client', async () => {
    const subjectToken = await estate.issuer.mint({ cnf: JKT });
    refused(await exchangeAtSts(edge.client, edge.signer, { subjectToken, audience: ORDERS }, { token: await estate.issuer.mint({ cnf: JKT }) }), 'invalid_client', 'ath_mismatch');
  });

  it('a request changed after signing (pdh) is invalid_client', async () => {
    const subjectToken = await estate.issuer.mint({ cnf: JKT });
    refused(await exchangeAtSts(edge.client, edge.signer, { subjectToken, audience: ORDERS, scope: 'orders:write' }, { payload: { anything: 'else' } }), 'invalid_client', 'payload_hash_mismatch');
  });

  it('a proof addressed to orders instead of the STS is invalid_client', async () => {
    refused(await exchangeAtSts(edge.client, edge.signer, { subjectToken: await estate.issuer.mint({ cnf: JKT }), audience: ORDERS }, { audience: ORDERS }), 'invalid_client', 'proof_audience');
  });

  it('a certificate from another CA is invalid_client', async () => {
    const rogueCa = await createCertificateAuthority({ commonName: 'rogue CA' });
    const rogue = await issueCertificate(rogueCa, { commonName: 'edge', spiffeId: spiffeIdOf('edge'), usage: 'client' });
    const signer = createHopProofSigner({ privateKey: rogue.privateKeyPem, certificateChainPem: rogue.certificatePem });
    refused(await exchangeAtSts(edge.client, signer, { subjectToken: await estate.issuer.mint({ cnf: JKT }), audience: ORDERS }), 'invalid_client', 'certificate_untrusted');
  });

  it('H6: the same proof and request twice: granted once, then invalid_client (replayed)', async () => {
    const subjectToken = await estate.issuer.mint({ cnf: JKT });
    const now = Math.floor(Date.now() / 1000);
    granted(await exchangeAtSts(edge.client, edge.signer, { subjectToken, audience: ORDERS, scope: 'orders:read' }, { now }));
    // The signer's jti is random per proof: replaying means resending the very same message.
    const proof = await edge.signer.sign({ audience: STS, subject: 'sts.exchange', token: subjectToken, payload: replayPayload(subjectToken) });
    const first = await sendRaw(edge.client, replayPayload(subjectToken), proof);
    const second = await sendRaw(edge.client, replayPayload(subjectToken), proof);
    expect(first).toMatchObject({ issued_token_type: JWT_TOKEN_TYPE });
    expect(second).toMatchObject({ code: 'invalid_client', type: 'proof_replayed' });
  });

  it('clock skew within the window passes (a proof 8 s ahead, one 50 s old); an hour off fails', async () => {
    const now = Math.floor(Date.now() / 1000);
    granted(await exchangeAtSts(edge.client, edge.signer, { subjectToken: await estate.issuer.mint({ cnf: JKT }), audience: ORDERS }, { now: now + 8 }));
    granted(await exchangeAtSts(edge.client, edge.signer, { subjectToken: await estate.issuer.mint({ cnf: JKT }), audience: ORDERS }, { now: now - 50 }));
    refused(await exchangeAtSts(edge.client, edge.signer, { subjectToken: await estate.issuer.mint({ cnf: JKT }), audience: ORDERS }, { now: now - 3_600 }), 'invalid_client', 'proof_not_fresh');
  });
});

describe('H12 at the STS', () => {
  it('H12/H13: a revoked subject (end user) is invalid_request; a refusal does not burn the proof, which passes once the revocation lapses', async () => {
    const subjectToken = await estate.issuer.mint({ cnf: JKT, sub: 'user-revoked-at-sts' });
    const payload = replayPayload(subjectToken);
    const proof = await edge.signer.sign({ audience: STS, subject: 'sts.exchange', token: subjectToken, payload });
    await estate.revoke('sub', 'user-revoked-at-sts', 2);
    await waitUntil(() => estate.sts.link.revocations.isRevoked({ subject: 'user-revoked-at-sts' }));
    expect(await sendRaw(edge.client, payload, proof)).toMatchObject({ code: 'invalid_request', type: 'revoked' });
    await waitUntil(() => !estate.sts.link.revocations.isRevoked({ subject: 'user-revoked-at-sts' }), 4_000);
    expect(await sendRaw(edge.client, payload, proof)).toMatchObject({ issued_token_type: JWT_TOKEN_TYPE });
  });

  it('H12/H13: a revoked subject token (jti) is invalid_request', async () => {
    const subjectToken = await estate.issuer.mint({ cnf: JKT });
    await estate.revoke('jti', decodeJwt(subjectToken).jti!, 30);
    await waitUntil(() => estate.sts.link.revocations.isRevoked({ tokenId: decodeJwt(subjectToken).jti! }));
    refused(await exchangeAtSts(edge.client, edge.signer, { subjectToken, audience: ORDERS }), 'invalid_request', 'revoked');
  });

  it('H12/H13: a revoked caller certificate is invalid_client (client authentication failed), checked before the replay claim: the refused proof passes once the revocation lapses', async () => {
    const second = await issueCertificate(estate.fabric.ca, { commonName: 'edge-2', spiffeId: spiffeIdOf('edge'), usage: 'client' });
    const secondSigner = createHopProofSigner({ privateKey: second.privateKeyPem, certificateChainPem: second.certificatePem });
    granted(await exchangeAtSts(edge.client, secondSigner, { subjectToken: await estate.issuer.mint({ cnf: JKT }), audience: ORDERS }));
    const subjectToken = await estate.issuer.mint({ cnf: JKT });
    const payload = replayPayload(subjectToken);
    const proof = await secondSigner.sign({ audience: STS, subject: 'sts.exchange', token: subjectToken, payload });
    await estate.revoke('cert', secondSigner.certificateThumbprint, 2);
    await waitUntil(() => estate.sts.link.revocations.isRevoked({ certificateThumbprint: secondSigner.certificateThumbprint }));
    expect(await sendRaw(edge.client, payload, proof)).toEqual({ code: 'invalid_client', type: 'revoked', status: 401, message: expect.any(String) });
    await waitUntil(() => !estate.sts.link.revocations.isRevoked({ certificateThumbprint: secondSigner.certificateThumbprint }), 4_000);
    expect(await sendRaw(edge.client, payload, proof)).toMatchObject({ issued_token_type: JWT_TOKEN_TYPE });
  });
});

describe('the STS keys on sts.jwks', () => {
  it('serves public keys only: the next key, the current one, retired ones', async () => {
    const connection = await estate.connectAs('inventory');
    const jwks = (await connection.request('sts.jwks', undefined, { timeout: 2_000 })).json<{ keys: Record<string, unknown>[] }>();
    expect(jwks.keys.map((key) => key['kid'])).toContain(estate.sts.keys.current.kid);
    expect(jwks.keys.length).toBeGreaterThanOrEqual(2);
    for (const key of jwks.keys) {
      expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
      expect(key).not.toHaveProperty('d');
    }
  });

  it('key rotation at the STS: tokens in flight keep working at orders, new ones are signed by the new key', async () => {
    const outbound = await estate.outboundAs('edge');
    const subjectToken = await estate.clientToken({ sub: 'user-rotation' });
    const call = (token = subjectToken) => outbound.call<{ id: string }>({ audience: ORDERS, subject: 'orders.create', payload: { sku: 'rotation', quantity: 1 }, subjectToken: token, scope: 'orders:write' });
    await call();
    const before = estate.sts.keys.current.kid;
    await estate.sts.keys.rotate();
    expect(estate.sts.keys.current.kid).not.toBe(before);
    await call(); // the cached internal token, signed by the retired key
    await call(await estate.clientToken({ sub: 'user-rotation' })); // a new exchange, signed by the new key
    const fresh = granted(await exchangeAtSts(edge.client, edge.signer, { subjectToken: await estate.issuer.mint({ cnf: JKT }), audience: ORDERS }));
    expect(decodeProtectedHeader(fresh).kid).toBe(estate.sts.keys.current.kid);
  });
});

function replayPayload(subjectToken: string): Record<string, string> {
  return {
    grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
    subject_token: subjectToken,
    subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
    audience: ORDERS,
    scope: 'orders:read',
  };
}

async function sendRaw(client: ClientProxy, payload: unknown, proof: string): Promise<unknown> {
  const { natsRecord, requestWithTimeout } = await import('#estate');
  return requestWithTimeout(client, 'sts.exchange', natsRecord(payload, { 'Hop-Proof': proof }), 3_000).catch((error: unknown) => error);
}

async function waitUntil(condition: () => boolean, ms = 1_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
