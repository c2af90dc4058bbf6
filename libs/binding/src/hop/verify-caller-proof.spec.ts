import { beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';
import { countingKeySet, signAccessToken } from '../../test-support/access-tokens.js';
import { expectBindingError } from '../../test-support/expect-binding-error.js';
import { createCertificateAuthority, createIntermediateAuthority, issueCertificate, type Authority } from '../../test-support/pki.js';
import { BindingConfigError } from '../errors/binding-error.js';
import { FailureType, toHopMapping } from '../errors/failure-type.js';
import { createCertificatePathValidator } from '../mtls/certificate-path.js';
import { MemoryReplayStore } from '../replay/memory-replay-store.js';
import { MemoryRevocationList } from '../revocation/memory-revocation-list.js';
import { checkCertificatePathNotRevoked } from '../revocation/revocation-list.js';
import { createAccessTokenVerifier } from '../token/verify-access-token.js';
import { createEstate, EDGE, INVENTORY, ORDERS, STS, type Credential, type Estate } from './hop-fixtures.spec-helper.js';
import { payloadHash } from './payload-hash.js';
import type { HopProofInput } from './sign-hop-proof.js';
import { createCallerProofVerifier, type CallerProofRequest, type CallerProofVerifierOptions } from './verify-caller-proof.js';

// The STS side: a caller authenticated by its hop proof alone, `ath` over the subject token.

const EXCHANGE = 'sts.exchange';
/** A client's DPoP-bound token as the edge exchanges it: opaque here, the STS verifies it. */
const CLIENT_TOKEN = 'eyJhbGciOiJFUzI1NiIsInR5cCI6ImF0K2p3dCJ9.eyJjbmYiOnsiamt0IjoiYWJjIn19.c2ln';

let ca: Authority;
let edge: Credential;
let estate: Estate;

const workload = async (authority: Authority, spiffeId: string): Promise<Credential> => ({
  ...(await issueCertificate(authority, { commonName: spiffeId.split('/').pop()!, spiffeId, usage: 'client' })),
  spiffeId,
});

const exchangeRequest = (subjectToken: string, audience = ORDERS) => ({
  grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
  subject_token: subjectToken,
  subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
  audience,
});

function verifierWith(overrides: Partial<CallerProofVerifierOptions> = {}) {
  const clock = (): number => estate.now;
  return createCallerProofVerifier({
    audience: STS,
    certificates: createCertificatePathValidator({ trustAnchorsPem: ca.certificatePem, trustDomain: 'estate.local', clock }),
    replay: new MemoryReplayStore({ clock, sweepIntervalMs: 0 }),
    revocations: new MemoryRevocationList({ clock }),
    clock,
    ...overrides,
  });
}

/** An exchange request from `caller` with a proof from our signer; `proof` overrides its inputs. */
async function exchange(caller = edge, proof: Partial<HopProofInput> = {}, token = CLIENT_TOKEN): Promise<CallerProofRequest> {
  const payload = exchangeRequest(token);
  const signed = await estate.signer(caller).sign({ audience: STS, subject: EXCHANGE, token, payload, ...proof });
  return { subject: EXCHANGE, proof: [signed], token, payload };
}

beforeAll(async () => {
  ca = await createCertificateAuthority();
  edge = await workload(ca, EDGE);
  estate = await createEstate(ca.certificatePem);
});

describe('createCallerProofVerifier', () => {
  it('H1-H7: a proof over a client DPoP token passes, naming the caller; claim() then records the jti once', async () => {
    const verifier = verifierWith();
    const result = await verifier.verify(await exchange());
    expect(result).toMatchObject({
      caller: EDGE,
      certificateThumbprint: createHash('sha256').update(edge.der).digest('base64url'),
      certificate: expect.objectContaining({ spiffeId: EDGE, keyAlgorithm: 'ES256' }),
    });
    expect(result.jtiHash).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Object.isFrozen(result)).toBe(true);
    await expect(result.claim()).resolves.toBe(result.jtiHash);
    await expectBindingError(result.claim(), FailureType.ProofReplayed, 'invalid_dpop_proof');
  });

  it('H7, H8: the subject token is hashed once: verifySubjectToken keys the verified-token cache by the digest ath was checked against', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const keys = countingKeySet({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1' }] });
    const issuer = 'https://issuer.estate.test';
    const tokens = createAccessTokenVerifier({ issuer, audience: 'https://edge.estate.test', keys, clock: () => estate.now });
    const token = await signAccessToken(privateKey, { iss: issuer, aud: 'https://edge.estate.test', sub: 'alice', iat: estate.now, exp: estate.now + 300, jti: 'subject-1' }, { kid: 'k1' });
    const result = await verifierWith().verify(await exchange(edge, {}, token));
    await expect(result.verifySubjectToken(tokens)).resolves.toMatchObject({ sub: 'alice', jti: 'subject-1' });
    expect(keys.calls).toBe(1);
    // verify(token) hashes the token itself and finds the entry the proof's digest put there.
    await expect(tokens.verify(token)).resolves.toMatchObject({ jti: 'subject-1' });
    expect(keys.calls).toBe(1);
    // A token the verifier refuses is refused through it too (the digest changes nothing of the checks).
    const other = await verifierWith().verify(await exchange(edge, {}, CLIENT_TOKEN));
    await expect(other.verifySubjectToken(tokens)).rejects.toMatchObject({ code: 'invalid_token' });
  });

  it('H6: verify() burns nothing; only claim() does, so a refused exchange leaves the proof unused', async () => {
    const verifier = verifierWith();
    const request = await exchange(await workload(ca, ORDERS), {}, 'an-internal-token');
    await verifier.verify(request); // the STS refuses the exchange here and never claims
    const accepted = await verifier.verify(request);
    await expect(accepted.claim()).resolves.toBe(accepted.jtiHash);
    const replayed = await verifier.verify(request);
    await expectBindingError(replayed.claim(), FailureType.ProofReplayed, 'invalid_dpop_proof');
  });

  it('H6: a replay store that fails makes claim() fail closed (503), its error kept', async () => {
    const verifier = verifierWith({ replay: { claim: async () => { throw new Error('store unreachable'); } } });
    const result = await verifier.verify(await exchange());
    const error = await expectBindingError(result.claim(), FailureType.ReplayStoreUnavailable, 'temporarily_unavailable');
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('RFC 8693 §2.1: an absent or empty subject token is invalid_request, before the proof is looked at', async () => {
    const request = await exchange();
    for (const token of ['', undefined]) {
      const refused = verifierWith().verify({ ...request, proof: undefined, token: token as string });
      await expectBindingError(refused, FailureType.ExchangeInvalidRequest, 'invalid_request');
    }
  });

  it('H1: no proof, two proofs, or one over the size cap fail before parsing', async () => {
    const request = await exchange();
    await expectBindingError(verifierWith().verify({ ...request, proof: undefined }), FailureType.MissingProof, 'invalid_request');
    await expectBindingError(verifierWith().verify({ ...request, proof: [...request.proof!, ...request.proof!] }), FailureType.MultipleProofs, 'invalid_request');
    await expectBindingError(verifierWith({ maxProofLength: 100 }).verify(request), FailureType.ProofTooLarge, 'invalid_dpop_proof');
  });

  it('H2: a DPoP proof presented as a hop proof fails on typ', async () => {
    const claims = { aud: STS, sub: EXCHANGE, pdh: payloadHash(exchangeRequest(CLIENT_TOKEN)) };
    const proof = await estate.craftProof(edge, CLIENT_TOKEN, { header: { typ: 'dpop+jwt' }, claims });
    const request = { subject: EXCHANGE, proof: [proof], token: CLIENT_TOKEN, payload: exchangeRequest(CLIENT_TOKEN) };
    await expectBindingError(verifierWith().verify(request), FailureType.ProofType, 'invalid_dpop_proof');
  });

  it('H3: a caller whose certificate is from another CA is untrusted', async () => {
    const rogue = await workload(await createCertificateAuthority(), EDGE);
    await expectBindingError(verifierWith().verify(await exchange(rogue)), FailureType.CertificateUntrusted, 'invalid_token');
  });

  it('H3, H4: the certificate is checked before the signature: a rogue certificate with a forged signature fails on the certificate', async () => {
    const rogue = await workload(await createCertificateAuthority(), EDGE);
    const claims = { aud: STS, sub: EXCHANGE, pdh: payloadHash(exchangeRequest(CLIENT_TOKEN)) };
    const proof = await estate.craftProof(rogue, CLIENT_TOKEN, { claims, signingKeyPem: edge.privateKeyPem });
    const request = { subject: EXCHANGE, proof: [proof], token: CLIENT_TOKEN, payload: exchangeRequest(CLIENT_TOKEN) };
    await expectBindingError(verifierWith().verify(request), FailureType.CertificateUntrusted, 'invalid_token');
  });

  it('H4: a proof naming the edge certificate but signed by another key fails, before any claim is compared', async () => {
    const other = await workload(ca, ORDERS);
    const proof = await estate.craftProof(edge, CLIENT_TOKEN, { claims: { aud: INVENTORY }, signingKeyPem: other.privateKeyPem });
    const request = { subject: EXCHANGE, proof: [proof], token: CLIENT_TOKEN, payload: exchangeRequest(CLIENT_TOKEN) };
    await expectBindingError(verifierWith().verify(request), FailureType.ProofSignature, 'invalid_dpop_proof');
  });

  it('H5: a proof meant for another service, or for another subject of the STS, fails', async () => {
    await expectBindingError(verifierWith().verify(await exchange(edge, { audience: ORDERS })), FailureType.ProofAudience, 'invalid_dpop_proof');
    await expectBindingError(verifierWith().verify({ ...(await exchange()), subject: 'sts.jwks' }), FailureType.ProofSubject, 'invalid_dpop_proof');
  });

  it('H6: a proof 8 s ahead of the STS clock passes; one 61 s old fails', async () => {
    await expect(verifierWith().verify(await exchange(edge, { now: estate.now + 8 }))).resolves.toMatchObject({ caller: EDGE });
    await expectBindingError(verifierWith().verify(await exchange(edge, { now: estate.now - 61 })), FailureType.ProofNotFresh, 'invalid_dpop_proof');
  });

  it('H7: ath covers the subject token: a proof moved to another subject token fails', async () => {
    const request = await exchange();
    const otherToken = `${CLIENT_TOKEN}x`;
    const moved = { ...request, token: otherToken, payload: exchangeRequest(otherToken) };
    await expectBindingError(verifierWith().verify(moved), FailureType.AthMismatch, 'invalid_dpop_proof');
  });

  it('H7: pdh covers the exchange request: asking for another audience with the same proof fails', async () => {
    const request = await exchange();
    const widened = { ...request, payload: exchangeRequest(CLIENT_TOKEN, INVENTORY) };
    await expectBindingError(verifierWith().verify(widened), FailureType.PayloadHashMismatch, 'invalid_dpop_proof');
  });

  it('H13: proof failures at the STS map to invalid_token', async () => {
    const error = await expectBindingError(verifierWith().verify(await exchange(edge, { audience: ORDERS })), FailureType.ProofAudience, 'invalid_dpop_proof');
    expect(toHopMapping(error.type)).toEqual({ code: 'invalid_token', status: 401 });
  });

  describe('H12 at the STS: the caller certificate path the exchange looks up', () => {
    const x5t = (der: Uint8Array): string => createHash('sha256').update(der).digest('base64url');

    /** An exchange request from a leaf of `authority`, its intermediates riding in x5c. */
    async function exchangeVia(authority: Authority, caller: Credential): Promise<CallerProofRequest> {
      const payload = exchangeRequest(CLIENT_TOKEN);
      const signed = await estate.signer(caller, authority.chainDer).sign({ audience: STS, subject: EXCHANGE, token: CLIENT_TOKEN, payload });
      return { subject: EXCHANGE, proof: [signed], token: CLIENT_TOKEN, payload };
    }

    it('H12: revoking an intermediate CA refuses every caller leaf it issued; a sibling\'s leaf and unrelated revocations change nothing', async () => {
      const revoked = await createIntermediateAuthority(ca);
      const sibling = await createIntermediateAuthority(ca);
      const revocations = new MemoryRevocationList({ clock: () => estate.now });
      revocations.apply({ kind: 'cert', value: x5t(revoked.der), until: estate.now + 30 });
      revocations.apply({ kind: 'cert', value: 'C'.repeat(43), until: estate.now + 30 });
      const verifier = verifierWith();
      for (const caller of [await workload(revoked, EDGE), await workload(revoked, ORDERS)]) {
        const { certificate } = await verifier.verify(await exchangeVia(revoked, caller));
        expect(certificate.pathThumbprints).toEqual([x5t(caller.der), x5t(revoked.der), x5t(ca.der)]);
        expect(() => checkCertificatePathNotRevoked(revocations, certificate)).toThrow(expect.objectContaining({ type: FailureType.Revoked, code: 'invalid_token' }));
      }
      const fine = await verifier.verify(await exchangeVia(sibling, await workload(sibling, EDGE)));
      expect(() => checkCertificatePathNotRevoked(revocations, fine.certificate)).not.toThrow();
      const direct = await verifier.verify(await exchange());
      expect(() => checkCertificatePathNotRevoked(revocations, direct.certificate)).not.toThrow();
    });

    it('H12: the caller-proof profile refuses a caller whose path holds a revoked certificate, leaf or CA, before any claim; the jti hash is told first', async () => {
      const intermediate = await createIntermediateAuthority(ca);
      const caller = await workload(intermediate, EDGE);
      const revocations = new MemoryRevocationList({ clock: () => estate.now });
      const verifier = verifierWith({ revocations });
      const request = await exchangeVia(intermediate, caller);
      const told: string[] = [];
      revocations.apply({ kind: 'cert', value: 'C'.repeat(43), until: estate.now + 30 });
      const accepted = await verifier.verify({ ...request, onProof: (jtiHash) => told.push(jtiHash) });
      expect(told).toEqual([accepted.jtiHash]);
      for (const revoked of [x5t(intermediate.der), x5t(caller.der)]) {
        const fresh = await exchangeVia(intermediate, caller);
        revocations.apply({ kind: 'cert', value: revoked, until: estate.now + 30 });
        const seen: string[] = [];
        await expectBindingError(verifier.verify({ ...fresh, onProof: (jtiHash) => seen.push(jtiHash) }), FailureType.Revoked, 'invalid_token');
        expect(seen).toHaveLength(1);
      }
      await expect(accepted.claim()).resolves.toBe(accepted.jtiHash); // nothing refused burned it
    });

    it('H12: a caller path cached before the revocation is refused after it', async () => {
      const intermediate = await createIntermediateAuthority(ca);
      const caller = await workload(intermediate, EDGE);
      const revocations = new MemoryRevocationList({ clock: () => estate.now });
      const verifier = verifierWith();
      const before = await verifier.verify(await exchangeVia(intermediate, caller));
      expect(() => checkCertificatePathNotRevoked(revocations, before.certificate)).not.toThrow();
      revocations.apply({ kind: 'cert', value: x5t(intermediate.der), until: estate.now + 30 });
      const after = await verifier.verify(await exchangeVia(intermediate, caller));
      expect(after.certificate).toBe(before.certificate); // the same x5c: served from the path cache
      expect(() => checkCertificatePathNotRevoked(revocations, after.certificate)).toThrow(expect.objectContaining({ type: FailureType.Revoked, code: 'invalid_token' }));
    });
  });

  it('H1-H7: misconfiguration throws BindingConfigError at construction', () => {
    expect(() => verifierWith()).not.toThrow();
    const broken: Record<string, unknown>[] = [
      { audience: 'sts' },
      { replay: undefined },
      { certificates: {} },
      { algorithms: ['HS256'] },
      { iatFutureSeconds: -1 },
      { maxProofLength: 0 },
      { clock: 5 },
      { revocations: {} },
      { revocations: undefined },
    ];
    for (const change of broken) {
      expect(() => verifierWith(change as Partial<CallerProofVerifierOptions>)).toThrow(BindingConfigError);
    }
  });
});
