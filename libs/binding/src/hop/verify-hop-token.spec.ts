import { beforeAll, describe, expect, it } from '@jest/globals';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';
import { expectBindingError } from '../../test-support/expect-binding-error.js';
import { createCertificateAuthority, issueCertificate, type Authority } from '../../test-support/pki.js';
import { FailureType } from '../errors/failure-type.js';
import {
  createEstate,
  EDGE,
  INVENTORY,
  ORDERS,
  PAYLOAD,
  STS,
  SUBJECT,
  type Credential,
  type Estate,
} from './hop-fixtures.spec-helper.js';
import type { HopRequest } from './verify-hop-proof.js';

// The token side of a hop (H8-H12) and the replay claim that closes it (H6, last).

let ca: Authority;
let orders: Credential;
let edge: Credential;
let estate: Estate;

const workload = async (spiffeId: string): Promise<Credential> => ({
  ...(await issueCertificate(ca, { commonName: spiffeId.split('/').pop()!, spiffeId, usage: 'client' })),
  spiffeId,
});

/** A request whose proof is valid for `token`, so only the token's own checks can fail. */
async function requestWith(token: string, caller = orders): Promise<HopRequest> {
  const proof = await estate.signer(caller).sign({ audience: INVENTORY, subject: SUBJECT, token, payload: PAYLOAD });
  return { subject: SUBJECT, headers: { token: [token], proof: [proof] }, payload: PAYLOAD };
}

const bound = async (claims: Record<string, unknown> = {}, caller = orders): Promise<HopRequest> =>
  requestWith(await estate.mintToken(caller, claims), caller);

beforeAll(async () => {
  ca = await createCertificateAuthority();
  orders = await workload(ORDERS);
  edge = await workload(EDGE);
  estate = await createEstate(ca.certificatePem);
});

describe('createHopVerifier: the token', () => {
  it('H8: a token signed by a key other than the STS keys fails', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const forged = await new SignJWT({ iss: STS, sub: 'alice', aud: INVENTORY, exp: estate.now + 60, act: { sub: ORDERS }, cnf: { 'x5t#S256': 'x' } })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'sts-1' })
      .sign(privateKey);
    await expectBindingError(estate.verifier.verify(await requestWith(forged)), FailureType.TokenSignature, 'invalid_token');
  });

  it('H8: an expired token fails; one with a minute left passes', async () => {
    await expectBindingError(estate.verifier.verify(await bound({ exp: estate.now - 10 })), FailureType.TokenExpired, 'invalid_token');
    await expect(estate.verifier.verify(await bound({ exp: estate.now + 60 }))).resolves.toBeDefined();
  });

  it('H8: a token from another issuer, or not typed at+jwt, fails', async () => {
    await expectBindingError(estate.verifier.verify(await bound({ iss: ORDERS })), FailureType.TokenIssuer, 'invalid_token');
    const untyped = await estate.mintToken(orders, {}, { typ: 'JWT' });
    await expectBindingError(estate.verifier.verify(await requestWith(untyped)), FailureType.TokenType, 'invalid_token');
  });

  it('H8: a verifier that throws something other than a BindingError fails closed as 503 CheckFailed (verifyPresentedToken)', async () => {
    const broken = estate.verifierWith({ tokens: { verify: async () => { throw new Error('key set fetch failed'); } } });
    await expectBindingError(broken.verify(await bound()), FailureType.CheckFailed, 'temporarily_unavailable');
  });

  it('H9: a token meant for another service fails, even when the injected verifier skips aud', async () => {
    const laxVerifier = estate.verifierWith({}, undefined);
    await expectBindingError(laxVerifier.verify(await bound({ aud: ORDERS })), FailureType.TokenAudience, 'invalid_token');
    await expectBindingError(estate.verifier.verify(await bound({ aud: ORDERS })), FailureType.TokenAudience, 'invalid_token');
    await expect(laxVerifier.verify(await bound({ aud: [ORDERS, INVENTORY] }))).resolves.toBeDefined();
  });

  it('H10: a client DPoP token forwarded inward fails on the confirmation method', async () => {
    await expectBindingError(estate.verifier.verify(await bound({ cnf: { jkt: 'dpop-key-thumbprint' } })), FailureType.ConfirmationMethod, 'invalid_token');
  });

  it('H10: an unbound token, or one bound to another certificate, fails', async () => {
    await expectBindingError(estate.verifier.verify(await bound({ cnf: undefined })), FailureType.UnboundToken, 'invalid_token');
    const otherThumbprint = createHash('sha256').update(edge.der).digest('base64url');
    await expectBindingError(estate.verifier.verify(await bound({ cnf: { 'x5t#S256': otherThumbprint } })), FailureType.ConfirmationMismatch, 'invalid_token');
  });

  it('H10: a token obtained by orders and replayed by edge with its own valid certificate fails', async () => {
    const stolen = await estate.mintToken(orders);
    await expectBindingError(estate.verifier.verify(await requestWith(stolen, edge)), FailureType.ConfirmationMismatch, 'invalid_token');
  });

  it('H11: a token whose act.sub is another workload fails, even bound to the sender certificate', async () => {
    await expectBindingError(estate.verifier.verify(await bound({ act: { sub: EDGE } })), FailureType.ActorMismatch, 'invalid_token');
    await expectBindingError(estate.verifier.verify(await bound({ act: undefined })), FailureType.ActorMismatch, 'invalid_token');
  });

  it('H11: the handler policy allows some callers only', async () => {
    const request = await bound();
    await expectBindingError(estate.verifier.verify({ ...request, policy: { callers: [EDGE] } }), FailureType.CallerNotAllowed, 'insufficient_scope');
    await expect(estate.verifier.verify({ ...request, policy: { callers: [EDGE, ORDERS] } })).resolves.toMatchObject({ caller: ORDERS });
  });

  it.each([
    ['token jti', (jti: string) => ({ kind: 'jti', value: jti })],
    ['end user', () => ({ kind: 'sub', value: 'alice' })],
    ['sender certificate', () => ({ kind: 'cert', value: createHash('sha256').update(orders.der).digest('base64url') })],
  ])('H12: a revoked %s fails', async (_case, event) => {
    const jti = `revoked-${Math.random()}`;
    const local = await createEstate(ca.certificatePem, estate.now);
    const token = await local.mintToken(orders, { jti });
    local.revocations.apply({ ...event(jti), until: local.now + 30 });
    const proof = await local.signer(orders).sign({ audience: INVENTORY, subject: SUBJECT, token, payload: PAYLOAD });
    const request = { subject: SUBJECT, headers: { token: [token], proof: [proof] }, payload: PAYLOAD };
    await expectBindingError(local.verifier.verify(request), FailureType.Revoked, 'invalid_token');
  });
});

describe('createHopVerifier: replay, last', () => {
  it('H6: the same proof twice: the second is a replay', async () => {
    const request = await bound();
    await expect(estate.verifier.verify(request)).resolves.toBeDefined();
    await expectBindingError(estate.verifier.verify(request), FailureType.ProofReplayed, 'invalid_dpop_proof');
  });

  it('H6: a refused request does not burn its jti (the replay claim runs last)', async () => {
    const local = await createEstate(ca.certificatePem, estate.now);
    const token = await local.mintToken(orders);
    const proof = await local.signer(orders).sign({ audience: INVENTORY, subject: SUBJECT, token, payload: PAYLOAD });
    const request = { subject: SUBJECT, headers: { token: [token], proof: [proof] }, payload: PAYLOAD };
    await expectBindingError(local.verifier.verify({ ...request, policy: { callers: [] } }), FailureType.CallerNotAllowed, 'insufficient_scope');
    local.revocations.apply({ kind: 'sub', value: 'alice', until: local.now + 5 });
    await expectBindingError(local.verifier.verify(request), FailureType.Revoked, 'invalid_token');
    local.setNow(local.now + 6);
    await expect(local.verifier.verify(request)).resolves.toMatchObject({ caller: ORDERS });
    await expectBindingError(local.verifier.verify(request), FailureType.ProofReplayed, 'invalid_dpop_proof');
  });

  it('H6: a replay store that fails makes the request fail closed (503)', async () => {
    const down = estate.verifierWith({ replay: { claim: async () => { throw new Error('store unreachable'); } } }, INVENTORY);
    const error = await expectBindingError(down.verify(await bound()), FailureType.ReplayStoreUnavailable, 'temporarily_unavailable');
    expect(error.cause).toBeInstanceOf(Error);
  });
});
