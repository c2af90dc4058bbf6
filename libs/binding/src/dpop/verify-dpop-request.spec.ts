import { randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { createProofClient, signProof } from '../../test-support/dpop-proofs.js';
import { expectBindingError } from '../../test-support/expect-binding-error.js';
import { sha256Base64url } from '../crypto/digest.js';
import { BindingConfigError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import { dpopRequest, setupVerifier } from './dpop-verifier.fixture.js';
import type { DpopVerifierOptions } from './dpop-verifier-options.js';
import { DEFAULT_DPOP_ALGORITHMS } from './proof-algorithms.js';
import { MapReplayStore, NOW, proofClaims } from './proof-client.fixture.js';
import { createDpopVerifier } from './verify-dpop-request.js';

describe('createDpopVerifier', () => {
  it('E1-E21: a valid request passes and yields the token claims, the key thumbprint and the jti hash', async () => {
    const { verifier, client, send } = await setupVerifier();
    const { request } = await send({ jti: 'jti-1' });
    const result = await verifier.verify(request);
    expect(result).toMatchObject({ scheme: 'dpop', jkt: client.jkt, jtiHash: sha256Base64url('jti-1'), nonce: undefined });
    expect(result.claims).toMatchObject({ sub: 'alice', cnf: { jkt: client.jkt } });
    expect(Object.isFrozen(result)).toBe(true);
  });

  it('E1: the verification carries the token exactly as parsed, also after `DPoP  ` (RFC 9110 §11.4 1*SP)', async () => {
    const { verifier, token, send } = await setupVerifier();
    expect((await verifier.verify((await send()).request)).token).toBe(token);
    const { request } = await send();
    expect((await verifier.verify({ ...request, authorization: [`DPoP  ${token}`] })).token).toBe(token);
  });

  it('E8, E11: proofs of every default algorithm pass end to end', async () => {
    const { verifier, tokens } = await setupVerifier();
    for (const alg of ['EdDSA', 'PS256']) {
      const client = await createProofClient(alg);
      const token = await tokens.issue({ cnf: { jkt: client.jkt } });
      const proof = await signProof(client, proofClaims(token));
      await expect(verifier.verify(dpopRequest(token, proof))).resolves.toMatchObject({ jkt: client.jkt });
    }
    expect(verifier.algorithms).toEqual(DEFAULT_DPOP_ALGORITHMS);
  });

  it('E12, E13: htm and htu bind the proof to the request; an htu with query and upper-case host passes', async () => {
    const { verifier, send } = await setupVerifier();
    await expect(verifier.verify((await send({ htu: 'HTTPS://API.example.com:443/orders?page=2' })).request)).resolves.toBeDefined();
    const wrongPath = (await send({ htu: 'https://api.example.com/admin' })).request;
    await expectBindingError(verifier.verify(wrongPath), FailureType.HtuMismatch, 'invalid_dpop_proof');
    const wrongMethod = (await send({ htm: 'DELETE' })).request;
    await expectBindingError(verifier.verify(wrongMethod), FailureType.HtmMismatch, 'invalid_dpop_proof');
  });

  it('E14: a request for a host that is not configured is invalid_request', async () => {
    const { verifier, send } = await setupVerifier();
    const { request } = await send({ htu: 'https://evil.example/orders' }, { host: ['evil.example'] });
    await expectBindingError(verifier.verify(request), FailureType.InvalidRequestTarget, 'invalid_request');
  });

  it('E16: a proof 10 s old or 8 s ahead passes, one an hour old fails', async () => {
    const { verifier, send } = await setupVerifier();
    await expect(verifier.verify((await send({ iat: NOW - 10 })).request)).resolves.toBeDefined();
    await expect(verifier.verify((await send({ iat: NOW + 8 })).request)).resolves.toBeDefined();
    const { request } = await send({ iat: NOW - 3600 });
    await expectBindingError(verifier.verify(request), FailureType.ProofNotFresh, 'invalid_dpop_proof');
  });

  it('E10, E16: a signed proof with a fractional iat (Date.now() / 1000) passes; one fractionally out of the window fails', async () => {
    const { verifier, send } = await setupVerifier();
    await expect(verifier.verify((await send({ iat: NOW + 0.437 })).request)).resolves.toMatchObject({ scheme: 'dpop' });
    await expect(verifier.verify((await send({ iat: NOW - 59.5 })).request)).resolves.toMatchObject({ scheme: 'dpop' });
    const late = (await send({ iat: NOW - 60.5 })).request;
    await expectBindingError(verifier.verify(late), FailureType.ProofNotFresh, 'invalid_dpop_proof');
    const notANumber = (await send({ iat: `${NOW}.5` })).request;
    await expectBindingError(verifier.verify(notANumber), FailureType.ProofClaims, 'invalid_dpop_proof');
  });

  it('E15: with nonces required, the first proof gets use_dpop_nonce; the retry with the nonce passes', async () => {
    const { verifier, send } = await setupVerifier({ nonce: { mode: 'required', secret: randomBytes(32) } });
    const first = await expectBindingError(verifier.verify((await send()).request), FailureType.NonceRequired, 'use_dpop_nonce');
    await expect(verifier.verify((await send({ nonce: first.nonce })).request)).resolves.toMatchObject({ nonce: undefined });
  });

  it('E15: once a client holds a nonce, its proofs without one are refused (RFC 9449 §11.3)', async () => {
    const { verifier, send } = await setupVerifier({ nonce: { mode: 'required', secret: randomBytes(32) } });
    const { nonce } = await expectBindingError(verifier.verify((await send()).request), FailureType.NonceRequired, 'use_dpop_nonce');
    await verifier.verify((await send({ nonce })).request);
    await expectBindingError(verifier.verify((await send()).request), FailureType.NonceRequired, 'use_dpop_nonce');
  });

  it('E15: a success response carries a fresh nonce when the one used is about to expire', async () => {
    const { verifier, clock, send } = await setupVerifier({ nonce: { mode: 'required', secret: randomBytes(32), stepSeconds: 60 } });
    const { nonce } = await expectBindingError(verifier.verify((await send()).request), FailureType.NonceRequired, 'use_dpop_nonce');
    clock.set(NOW + 60);
    const result = await verifier.verify((await send({ nonce, iat: NOW + 60 })).request);
    expect(result.nonce).toEqual(expect.any(String));
    expect(result.nonce).not.toBe(nonce);
  });

  it('E11: nothing is compared before the signature: a forged proof with a wrong htm fails on its signature', async () => {
    const { verifier, token, client } = await setupVerifier();
    const forger = await createProofClient();
    const proof = await signProof(forger, proofClaims(token, { htm: 'DELETE' }), { jwk: client.publicJwk });
    await expectBindingError(verifier.verify(dpopRequest(token, proof)), FailureType.ProofSignature, 'invalid_dpop_proof');
  });

  it('E15, E18: the nonce is asked for before the token is verified, the token before ath and binding', async () => {
    const { verifier, tokens, client, send } = await setupVerifier({ nonce: { mode: 'required', secret: randomBytes(32) } });
    const expired = await tokens.issue({ cnf: { jkt: 'someone else' } }, -1);
    const { request } = await send({ ath: 'wrong' }, {}, client, expired);
    await expectBindingError(verifier.verify(request), FailureType.NonceRequired, 'use_dpop_nonce');
    const { nonce } = await expectBindingError(verifier.verify(request), FailureType.NonceRequired, 'use_dpop_nonce');
    const retry = (await send({ ath: 'wrong', nonce }, {}, client, expired)).request;
    await expectBindingError(verifier.verify(retry), FailureType.TokenExpired, 'invalid_token');
  });

  it('E25: failure descriptions hold no token, proof or key thumbprint', async () => {
    const { verifier, client, send } = await setupVerifier();
    const { proof, request } = await send({ htm: 'PUT', ath: 'x' });
    const token = (request.authorization?.[0] as string).slice(5);
    const messages = [
      (await expectBindingError(verifier.verify(request), FailureType.HtmMismatch, 'invalid_dpop_proof')).message,
      (await expectBindingError(verifier.verify({ ...request, dpop: [`${proof}x`] }), FailureType.MalformedProof, 'invalid_dpop_proof')).message,
      (await expectBindingError(verifier.verify({ ...request, authorization: [`Bearer ${token}`] }), FailureType.MultipleCredentialMechanisms, 'invalid_request')).message,
    ];
    for (const message of messages) {
      for (const secret of [token, proof, client.jkt, proof.split('.')[0] as string]) expect(message).not.toContain(secret);
    }
  });

  it('E8, E14-E17: the options are validated at construction', async () => {
    const { tokens } = await setupVerifier();
    const valid = { origins: ['https://api.example.com'], tokenVerifier: tokens.verifier, replayStore: new MapReplayStore() };
    const bad: Array<Record<string, unknown>> = [
      { algorithms: ['HS256'] },
      { algorithms: [] },
      { tokenVerifier: undefined },
      { replayStore: {} },
      { origins: ['not a url'] },
      { iatPastSeconds: 0 },
      { iatFutureSeconds: 3600 },
      { maxProofLength: 10 },
      { maxJtiLength: 1.5 },
      { keyCacheMaxEntries: 0 },
      { allowBearer: 'yes' },
      { clock: 'now' },
      { nonce: { mode: 'required' } },
    ];
    for (const override of bad) {
      expect(() => createDpopVerifier({ ...valid, ...override } as DpopVerifierOptions)).toThrow(BindingConfigError);
    }
    expect(createDpopVerifier(valid).algorithms).toEqual(['ES256', 'EdDSA', 'PS256']);
  });
});
