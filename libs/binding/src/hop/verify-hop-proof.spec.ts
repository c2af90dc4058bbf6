import { beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { expectBindingError } from '../../test-support/expect-binding-error.js';
import { createCertificateAuthority, createIntermediateAuthority, issueCertificate, type Authority } from '../../test-support/pki.js';
import { BindingConfigError } from '../errors/binding-error.js';
import { FailureType, toHopMapping } from '../errors/failure-type.js';
import {
  createEstate,
  EDGE,
  INVENTORY,
  ORDERS,
  PAYLOAD,
  SUBJECT,
  type Credential,
  type Estate,
} from './hop-fixtures.spec-helper.js';
import type { HopProofInput } from './sign-hop-proof.js';
import { createHopVerifier, type HopRequest } from './verify-hop-proof.js';

let ca: Authority;
let orders: Credential;
let ordersEd: Credential;
let estate: Estate;

const workload = async (authority: Authority, spiffeId: string, keyAlgorithm: 'ES256' | 'EdDSA' = 'ES256'): Promise<Credential> => ({
  ...(await issueCertificate(authority, { commonName: spiffeId.split('/').pop()!, spiffeId, usage: 'client', keyAlgorithm })),
  spiffeId,
});

/** A bound request from `caller`, signed by our signer; `proof` overrides its inputs. */
async function bound(caller = orders, proof: Partial<HopProofInput> = {}, tokenClaims: Record<string, unknown> = {}): Promise<HopRequest> {
  const token = await estate.mintToken(caller, tokenClaims);
  const signed = await estate.signer(caller).sign({ audience: INVENTORY, subject: SUBJECT, token, payload: PAYLOAD, ...proof });
  return { subject: SUBJECT, headers: { token: [token], proof: [signed] }, payload: PAYLOAD };
}

/** A request carrying a proof crafted by hand with node:crypto (for what our signer never writes). */
async function crafted(caller: Credential, options: Parameters<Estate['craftProof']>[2]): Promise<HopRequest> {
  const token = await estate.mintToken(caller);
  const proof = await estate.craftProof(caller, token, options);
  return { subject: SUBJECT, headers: { token: [token], proof: [proof] }, payload: PAYLOAD };
}

beforeAll(async () => {
  ca = await createCertificateAuthority();
  orders = await workload(ca, ORDERS);
  ordersEd = await workload(ca, ORDERS, 'EdDSA');
  estate = await createEstate(ca.certificatePem);
});

describe('createHopVerifier: the proof', () => {
  it('H1-H12: a bound call from orders passes, naming the caller, its certificate and the actor chain', async () => {
    const request = await bound();
    const result = await estate.verifier.verify(request);
    expect(result).toMatchObject({
      caller: ORDERS,
      certificateThumbprint: createHash('sha256').update(orders.der).digest('base64url'),
      actorChain: [ORDERS, EDGE],
      claims: expect.objectContaining({ sub: 'alice', aud: INVENTORY }),
    });
    expect(result.jtiHash).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Object.isFrozen(result)).toBe(true);
  });

  it('H3, H4: an EdDSA caller, and a caller whose intermediate rides in x5c, pass', async () => {
    await expect(estate.verifier.verify(await bound(ordersEd))).resolves.toMatchObject({ caller: ORDERS });
    const intermediate = await createIntermediateAuthority(ca);
    const viaIntermediate = await workload(intermediate, ORDERS);
    const token = await estate.mintToken(viaIntermediate);
    const proof = await estate.signer(viaIntermediate, intermediate.chainDer).sign({ audience: INVENTORY, subject: SUBJECT, token, payload: PAYLOAD });
    const request = { subject: SUBJECT, headers: { token: [token], proof: [proof] }, payload: PAYLOAD };
    await expect(estate.verifier.verify(request)).resolves.toMatchObject({ caller: ORDERS });
  });

  it('H1: a missing proof or a second token is refused before parsing', async () => {
    const request = await bound();
    await expectBindingError(estate.verifier.verify({ ...request, headers: { token: request.headers.token, proof: undefined } }), FailureType.MissingProof, 'invalid_request');
    const twice = { token: [...request.headers.token!, ...request.headers.token!], proof: request.headers.proof };
    await expectBindingError(estate.verifier.verify({ ...request, headers: twice }), FailureType.MultipleAuthorization, 'invalid_request');
  });

  it('H2: a DPoP proof presented as a hop proof fails on typ', async () => {
    await expectBindingError(estate.verifier.verify(await crafted(orders, { header: { typ: 'dpop+jwt' } })), FailureType.ProofType, 'invalid_dpop_proof');
  });

  it('H2: an alg left out of the configured allow-list fails', async () => {
    const esOnly = estate.verifierWith({ algorithms: ['ES256'] }, INVENTORY);
    await expectBindingError(esOnly.verify(await bound(ordersEd)), FailureType.ProofAlgorithm, 'invalid_dpop_proof');
    await expect(esOnly.verify(await bound(orders))).resolves.toMatchObject({ caller: ORDERS });
  });

  it('H3: a certificate from another CA, even with a valid signature and token, is untrusted', async () => {
    const rogue = await workload(await createCertificateAuthority(), ORDERS);
    await expectBindingError(estate.verifier.verify(await bound(rogue)), FailureType.CertificateUntrusted, 'invalid_token');
  });

  it('H3: an ES256 header over an Ed25519 certificate fails on the key type, not by trying both', async () => {
    const request = await crafted(ordersEd, { alg: 'EdDSA', header: { alg: 'ES256' } });
    await expectBindingError(estate.verifier.verify(request), FailureType.ProofKey, 'invalid_dpop_proof');
  });

  it('H4: a proof naming the orders certificate but signed by another key fails', async () => {
    const other = await workload(ca, 'spiffe://estate.local/edge');
    await expectBindingError(estate.verifier.verify(await crafted(orders, { signingKeyPem: other.privateKeyPem })), FailureType.ProofSignature, 'invalid_dpop_proof');
  });

  it('H4: no claim is compared before the signature: a forged proof with a wrong aud fails on the signature', async () => {
    const other = await workload(ca, 'spiffe://estate.local/edge');
    const request = await crafted(orders, { signingKeyPem: other.privateKeyPem, claims: { aud: ORDERS } });
    await expectBindingError(estate.verifier.verify(request), FailureType.ProofSignature, 'invalid_dpop_proof');
  });

  it('H4: claims that are not a JSON object are read only after the signature: malformed if signed, ProofSignature if forged', async () => {
    await expectBindingError(estate.verifier.verify(await crafted(orders, { rawClaims: '["not", "an", "object"]' })), FailureType.MalformedProof, 'invalid_dpop_proof');
    const other = await workload(ca, 'spiffe://estate.local/edge');
    const forged = await crafted(orders, { rawClaims: 'not json', signingKeyPem: other.privateKeyPem });
    await expectBindingError(estate.verifier.verify(forged), FailureType.ProofSignature, 'invalid_dpop_proof');
  });

  it('H2, H4: a crit header is refused even for an extension jose understands (b64)', async () => {
    const request = await crafted(orders, { header: { crit: ['b64'], b64: true } });
    await expectBindingError(estate.verifier.verify(request), FailureType.MalformedProof, 'invalid_dpop_proof');
  });

  it('H4: claims altered after signing fail', async () => {
    const request = await bound();
    const [header, , signature] = request.headers.proof![0]!.split('.');
    const claims = Buffer.from(JSON.stringify({ jti: 'x', iat: estate.now, aud: INVENTORY, sub: 'inventory.release', ath: 'a', pdh: 'p' })).toString('base64url');
    const tampered = { ...request, headers: { ...request.headers, proof: [`${header}.${claims}.${signature}`] } };
    await expectBindingError(estate.verifier.verify(tampered), FailureType.ProofSignature, 'invalid_dpop_proof');
  });

  it('H5: a proof for another service, or another subject of this one, fails', async () => {
    await expectBindingError(estate.verifier.verify(await bound(orders, { audience: ORDERS })), FailureType.ProofAudience, 'invalid_dpop_proof');
    const request = await bound();
    await expectBindingError(estate.verifier.verify({ ...request, subject: 'inventory.release' }), FailureType.ProofSubject, 'invalid_dpop_proof');
  });

  it('H6: a proof 8 s ahead of this clock passes; one 61 s old fails', async () => {
    await expect(estate.verifier.verify(await bound(orders, { now: estate.now + 8 }))).resolves.toBeDefined();
    await expectBindingError(estate.verifier.verify(await bound(orders, { now: estate.now - 61 })), FailureType.ProofNotFresh, 'invalid_dpop_proof');
  });

  it('H6: a proof 50 s old, its exp still ahead, passes; one whose exp has passed though its iat is in the window fails, as does one without exp or outliving its window', async () => {
    await expect(estate.verifier.verify(await bound(orders, { now: estate.now - 50 }))).resolves.toBeDefined();
    await expectBindingError(estate.verifier.verify(await crafted(orders, { claims: { iat: estate.now - 30, exp: estate.now - 1 } })), FailureType.ProofNotFresh, 'invalid_dpop_proof');
    await expectBindingError(estate.verifier.verify(await crafted(orders, { claims: { exp: undefined } })), FailureType.ProofClaims, 'invalid_dpop_proof');
    await expectBindingError(estate.verifier.verify(await crafted(orders, { claims: { exp: estate.now + 3_600 } })), FailureType.ProofClaims, 'invalid_dpop_proof');
  });

  it('H7: a proof moved to another token or another payload fails', async () => {
    const request = await bound();
    const otherToken = await estate.mintToken(orders);
    await expectBindingError(estate.verifier.verify({ ...request, headers: { ...request.headers, token: [otherToken] } }), FailureType.AthMismatch, 'invalid_dpop_proof');
    await expectBindingError(estate.verifier.verify({ ...request, payload: { ...PAYLOAD, quantity: 200 } }), FailureType.PayloadHashMismatch, 'invalid_dpop_proof');
  });

  it('H7: the payload may arrive with its members in another order', async () => {
    const request = await bound();
    await expect(estate.verifier.verify({ ...request, payload: { quantity: 2, sku: 'A-1' } })).resolves.toBeDefined();
  });

  it('H13: proof failures at a hop answer invalid_token (toHopMapping), never invalid_dpop_proof', async () => {
    const error = await expectBindingError(estate.verifier.verify(await bound(orders, { audience: ORDERS })), FailureType.ProofAudience, 'invalid_dpop_proof');
    expect(toHopMapping(error.type)).toEqual({ code: 'invalid_token', status: 401 });
  });
});

describe('createHopVerifier: revocation of the certificate path (H12, RFC 5280 §6.1.3 (a)(3))', () => {
  const x5t = (der: Uint8Array): string => createHash('sha256').update(der).digest('base64url');

  /** A bound request from a leaf of `authority`, its intermediates riding in x5c. */
  async function viaAuthority(local: Estate, authority: Authority, caller: Credential): Promise<HopRequest> {
    const token = await local.mintToken(caller);
    const proof = await local.signer(caller, authority.chainDer).sign({ audience: INVENTORY, subject: SUBJECT, token, payload: PAYLOAD });
    return { subject: SUBJECT, headers: { token: [token], proof: [proof] }, payload: PAYLOAD };
  }

  it('H12: revoking an intermediate CA refuses every leaf it issued, as a revoked leaf; its sibling still passes', async () => {
    const local = await createEstate(ca.certificatePem, estate.now);
    const revoked = await createIntermediateAuthority(ca);
    const sibling = await createIntermediateAuthority(ca);
    const leaves = [await workload(revoked, ORDERS), await workload(revoked, ORDERS, 'EdDSA'), await workload(revoked, EDGE)];
    local.revocations.apply({ kind: 'cert', value: x5t(revoked.der), until: local.now + 30 });
    for (const leaf of leaves) {
      await expectBindingError(local.verifier.verify(await viaAuthority(local, revoked, leaf)), FailureType.Revoked, 'invalid_token');
    }
    await expect(local.verifier.verify(await viaAuthority(local, sibling, await workload(sibling, ORDERS)))).resolves.toMatchObject({ caller: ORDERS });
    await expect(local.verifier.verify(await viaAuthority(local, ca, orders))).resolves.toMatchObject({ caller: ORDERS }); // issued by the root
  });

  it('H12: revoking an unrelated certificate thumbprint changes nothing', async () => {
    const local = await createEstate(ca.certificatePem, estate.now);
    const intermediate = await createIntermediateAuthority(ca);
    const unrelated = await createIntermediateAuthority(ca);
    local.revocations.apply({ kind: 'cert', value: x5t(unrelated.der), until: local.now + 30 });
    local.revocations.apply({ kind: 'cert', value: x5t((await workload(intermediate, EDGE)).der), until: local.now + 30 });
    const request = await viaAuthority(local, intermediate, await workload(intermediate, ORDERS));
    await expect(local.verifier.verify(request)).resolves.toMatchObject({ caller: ORDERS });
  });

  it('H12: a path cached before the intermediate is revoked is refused after, and the refusal burns no jti', async () => {
    const local = await createEstate(ca.certificatePem, estate.now);
    const intermediate = await createIntermediateAuthority(ca);
    const leaf = await workload(intermediate, ORDERS);
    await expect(local.verifier.verify(await viaAuthority(local, intermediate, leaf))).resolves.toMatchObject({ caller: ORDERS });
    local.revocations.apply({ kind: 'cert', value: x5t(intermediate.der), until: local.now + 5 });
    const request = await viaAuthority(local, intermediate, leaf); // same x5c: its path is served from the cache
    await expectBindingError(local.verifier.verify(request), FailureType.Revoked, 'invalid_token');
    local.setNow(local.now + 6);
    await expect(local.verifier.verify(request)).resolves.toMatchObject({ caller: ORDERS });
  });
});

describe('createHopVerifier: configuration', () => {
  it('H1-H12: misconfiguration throws BindingConfigError at construction', () => {
    const valid = { audience: INVENTORY, certificates: { validate: () => { throw new Error('unused'); } }, tokens: { verify: async () => { throw new Error('unused'); } }, replay: { claim: async () => true }, revocations: { isRevoked: () => false } };
    expect(() => createHopVerifier(valid)).not.toThrow();
    const broken: Record<string, unknown>[] = [
      { audience: 'inventory' },
      { audience: 'spiffe://estate.local' },
      { algorithms: [] },
      { algorithms: ['ES256', 'none'] },
      { algorithms: ['ES256', 'ES256'] },
      { iatPastSeconds: 0 },
      { iatFutureSeconds: 1.5 },
      { maxProofLength: 0 },
      { replay: undefined },
      { revocations: {} },
    ];
    for (const change of broken) {
      expect(() => createHopVerifier({ ...valid, ...change } as never)).toThrow(BindingConfigError);
    }
  });
});
