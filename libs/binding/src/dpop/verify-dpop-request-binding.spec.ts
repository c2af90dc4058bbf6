import { describe, expect, it } from '@jest/globals';
import { createProofClient } from '../../test-support/dpop-proofs.js';
import { expectBindingError } from '../../test-support/expect-binding-error.js';
import { sha256Base64url } from '../crypto/digest.js';
import { FailureType } from '../errors/failure-type.js';
import type { ReplayStore } from '../replay/replay-store.js';
import { setupVerifier } from './dpop-verifier.fixture.js';
import { MapReplayStore, NOW, UnavailableReplayStore } from './proof-client.fixture.js';
import type { DpopRequest } from './verify-dpop-request.js';

/** The token half of the edge check and the replay claim: E5, E17-E21, through createDpopVerifier. */
describe('createDpopVerifier: token binding and replay', () => {
  it('E17: the same proof sent twice is a replay', async () => {
    const { verifier, send } = await setupVerifier();
    const { request } = await send();
    await verifier.verify(request);
    await expectBindingError(verifier.verify(request), FailureType.ProofReplayed, 'invalid_dpop_proof');
  });

  it('E17: the claim is keyed by jkt and the jti hash, for the whole window (60 + 10 s); another key may reuse a jti', async () => {
    const { verifier, store, client, tokens, send } = await setupVerifier();
    await verifier.verify((await send({ jti: 'shared' })).request);
    expect([...(store as MapReplayStore).claims]).toEqual([[`${client.jkt} ${sha256Base64url('shared')}`, 70]]);
    const other = await createProofClient();
    const otherToken = await tokens.issue({ cnf: { jkt: other.jkt } });
    await expect(verifier.verify((await send({ jti: 'shared' }, {}, other, otherToken)).request)).resolves.toMatchObject({ jkt: other.jkt });
  });

  it('E17: a refused request burns no jti: the same proof passes once the request is right', async () => {
    const { verifier, send } = await setupVerifier();
    const { request } = await send();
    await expectBindingError(verifier.verify({ ...request, method: 'POST' }), FailureType.HtmMismatch, 'invalid_dpop_proof');
    await expect(verifier.verify(request)).resolves.toMatchObject({ scheme: 'dpop' });
  });

  it('E17: the claim comes after the token: a proof refused for its token is not burnt', async () => {
    const { verifier, tokens, client, clock, send } = await setupVerifier();
    const notYetValid = await tokens.issue({ cnf: { jkt: client.jkt }, nbf: NOW + 5 });
    const { request } = await send({}, {}, client, notYetValid);
    await expectBindingError(verifier.verify(request), FailureType.TokenSignature, 'invalid_token');
    clock.set(NOW + 6);
    await expect(verifier.verify(request)).resolves.toMatchObject({ jkt: client.jkt });
  });

  it('E17: a replay store that cannot decide fails closed with 503', async () => {
    const { verifier, send } = await setupVerifier({ replayStore: new UnavailableReplayStore() });
    const error = await expectBindingError(verifier.verify((await send()).request), FailureType.ReplayStoreUnavailable, 'temporarily_unavailable');
    expect(error.status).toBe(503);
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('E17: a store answering anything but true is a replay', async () => {
    const undecided: ReplayStore = { claim: async () => undefined as unknown as boolean };
    const { verifier, send } = await setupVerifier({ replayStore: undecided });
    await expectBindingError(verifier.verify((await send()).request), FailureType.ProofReplayed, 'invalid_dpop_proof');
  });

  it('E5: the DPoP scheme with an unbound token is invalid_token', async () => {
    const { verifier, tokens, send } = await setupVerifier();
    const unbound = await tokens.issue();
    const { request } = await send({}, {}, undefined, unbound);
    await expectBindingError(verifier.verify(request), FailureType.UnboundToken, 'invalid_token');
  });

  it('E5: a DPoP-bound token sent with the Bearer scheme is a downgrade (RFC 9449 §7.2)', async () => {
    const { verifier, token } = await setupVerifier({ allowBearer: true });
    const bearer: DpopRequest = { method: 'GET', target: '/orders', host: ['api.example.com'], authorization: [`Bearer ${token}`], dpop: undefined };
    await expectBindingError(verifier.verify(bearer), FailureType.SchemeDowngrade, 'invalid_token');
  });

  it('E5: an unbound Bearer token is refused unless allowBearer, then accepted without a key', async () => {
    const strict = await setupVerifier();
    const unbound = await strict.tokens.issue();
    const bearer: DpopRequest = { method: 'GET', target: '/orders', host: ['api.example.com'], authorization: [`Bearer ${unbound}`], dpop: undefined };
    await expectBindingError(strict.verifier.verify(bearer), FailureType.UnboundToken, 'invalid_token');
    const lenient = await setupVerifier({ allowBearer: true, tokenVerifier: strict.tokens.verifier });
    await expect(lenient.verifier.verify(bearer)).resolves.toMatchObject({ scheme: 'bearer', jkt: undefined, jtiHash: undefined });
  });

  it('E5: the route policy decides for unbound Bearer tokens: accept-as-bearer serves them, refuse or no word refuses', async () => {
    const { verifier, tokens } = await setupVerifier();
    const unbound = await tokens.issue();
    const bearer: DpopRequest = { method: 'GET', target: '/orders', host: ['api.example.com'], authorization: [`Bearer ${unbound}`], dpop: undefined };
    await expect(verifier.verify({ ...bearer, policy: { unboundTokens: 'accept-as-bearer' } })).resolves.toMatchObject({ scheme: 'bearer', jkt: undefined });
    await expectBindingError(verifier.verify({ ...bearer, policy: { unboundTokens: 'refuse' } }), FailureType.UnboundToken, 'invalid_token');
    await expectBindingError(verifier.verify({ ...bearer, policy: {} }), FailureType.UnboundToken, 'invalid_token');
    // A value that is not exactly accept-as-bearer refuses (fails closed).
    const typo = { unboundTokens: 'accept' } as unknown as DpopRequest['policy'];
    await expectBindingError(verifier.verify({ ...bearer, policy: typo }), FailureType.UnboundToken, 'invalid_token');
  });

  it('E5: a route that says refuse refuses even where the verifier allows Bearer; its scopes still apply to accepted Bearer tokens', async () => {
    const { verifier, tokens } = await setupVerifier({ allowBearer: true });
    const unbound = await tokens.issue({ scope: 'orders:read' });
    const bearer: DpopRequest = { method: 'GET', target: '/orders', host: ['api.example.com'], authorization: [`Bearer ${unbound}`], dpop: undefined };
    await expectBindingError(verifier.verify({ ...bearer, policy: { unboundTokens: 'refuse' } }), FailureType.UnboundToken, 'invalid_token');
    const needsWrite = { unboundTokens: 'accept-as-bearer' as const, scopes: ['orders:write'] };
    await expectBindingError(verifier.verify({ ...bearer, policy: needsWrite }), FailureType.InsufficientScope, 'insufficient_scope');
  });

  it('E5, E21: accept-as-bearer never lets a bound token through as Bearer, nor an unbound one through the DPoP scheme', async () => {
    const { verifier, tokens, token, send } = await setupVerifier();
    const policy = { unboundTokens: 'accept-as-bearer' as const };
    const asBearer = (sent: string): DpopRequest => ({ method: 'GET', target: '/orders', host: ['api.example.com'], authorization: [`Bearer ${sent}`], dpop: undefined, policy });
    await expectBindingError(verifier.verify(asBearer(token)), FailureType.SchemeDowngrade, 'invalid_token');
    const certificateBound = await tokens.issue({ cnf: { 'x5t#S256': sha256Base64url('certificate') } });
    await expectBindingError(verifier.verify(asBearer(certificateBound)), FailureType.ConfirmationMethod, 'invalid_token');
    const unbound = await tokens.issue();
    const { request } = await send({}, { policy }, undefined, unbound);
    await expectBindingError(verifier.verify(request), FailureType.UnboundToken, 'invalid_token');
  });

  it('E21: a certificate-bound token is refused with either scheme', async () => {
    const { verifier, tokens, send } = await setupVerifier({ allowBearer: true });
    const certificateBound = await tokens.issue({ cnf: { 'x5t#S256': sha256Base64url('certificate') } });
    const dpop = (await send({}, {}, undefined, certificateBound)).request;
    await expectBindingError(verifier.verify(dpop), FailureType.ConfirmationMethod, 'invalid_token');
    const bearer = { ...dpop, authorization: [`Bearer ${certificateBound}`], dpop: undefined };
    await expectBindingError(verifier.verify(bearer), FailureType.ConfirmationMethod, 'invalid_token');
  });

  it('E20: a token bound to another key than the proof\'s is invalid_token', async () => {
    const { verifier, send } = await setupVerifier();
    const thief = await createProofClient();
    const { request } = await send({}, {}, thief);
    await expectBindingError(verifier.verify(request), FailureType.ConfirmationMismatch, 'invalid_token');
  });

  it('E19: a proof whose ath is another token\'s, or has none, fails', async () => {
    const { verifier, send } = await setupVerifier();
    const { request } = await send({ ath: sha256Base64url('another token') });
    await expectBindingError(verifier.verify(request), FailureType.AthMismatch, 'invalid_dpop_proof');
    const { request: withoutAth } = await send({ ath: undefined });
    await expectBindingError(verifier.verify(withoutAth), FailureType.ProofClaims, 'invalid_dpop_proof');
  });

  it('E18: the token verifier\'s refusal is passed on', async () => {
    const { verifier, tokens, client, clock, send } = await setupVerifier();
    const expired = await tokens.issue({ cnf: { jkt: client.jkt } }, 30);
    clock.set(NOW + 31);
    const { request } = await send({ iat: NOW + 31 }, {}, client, expired);
    await expectBindingError(verifier.verify(request), FailureType.TokenExpired, 'invalid_token');
  });

});
