import { sign as nodeSign, constants, KeyObject } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { base64urlJson } from '../../test-support/compact-jws.js';
import { createProofClient, signProof } from '../../test-support/dpop-proofs.js';
import { expectBindingError } from '../../test-support/expect-binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import { splitCompactJws } from '../pop/compact-jws.js';
import { DPOP_PROFILE } from './parse-proof-header.js';
import { proofClaims } from './proof-client.fixture.js';
import { ProofKeyCache } from './proof-key-cache.js';
import { RFC9449_RESOURCE_REQUEST, RFC9449_TOKEN_REQUEST_PROOF } from './rfc-examples.fixture.js';
import { verifyProofSignature } from './verify-proof-signature.js';

const keysFor = (algorithms: readonly string[]) => new ProofKeyCache(algorithms);
const text = (bytes: Uint8Array): unknown => JSON.parse(Buffer.from(bytes).toString('utf8'));

async function verify(proof: string, algorithms: readonly string[] = ['ES256', 'EdDSA', 'PS256']): Promise<Uint8Array> {
  const proofKey = await keysFor(algorithms).resolve(splitCompactJws(proof, DPOP_PROFILE).header);
  return verifyProofSignature(proof, proofKey);
}

describe('verifyProofSignature', () => {
  it('E11: the RFC 9449 §4.1 token request proof verifies with its jwk', async () => {
    expect(text(await verify(RFC9449_TOKEN_REQUEST_PROOF))).toEqual({
      jti: '-BwC3ESc6acc2lTc',
      htm: 'POST',
      htu: 'https://server.example.com/token',
      iat: 1562262616,
    });
  });

  it('E11: the RFC 9449 §7.1 resource request proof verifies with its jwk', async () => {
    expect(text(await verify(RFC9449_RESOURCE_REQUEST.proof))).toMatchObject({ jti: 'e1j3V_bKic8-LAEB', ath: RFC9449_RESOURCE_REQUEST.ath });
  });

  it('E11: a proof of each default algorithm verifies', async () => {
    for (const alg of ['ES256', 'EdDSA', 'PS256']) {
      const client = await createProofClient(alg);
      expect(text(await verify(await signProof(client, { jti: alg })))).toEqual({ jti: alg });
    }
  });

  it('E8, E11: a proof of every algorithm an allow-list may name verifies through the key cache, and only under its own alg', async () => {
    const all = ['ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519', 'PS256', 'PS384', 'PS512', 'RS256', 'RS384', 'RS512'];
    // RSA keys fit two algorithms: the same key and signature under the other one must fail (E11).
    const relabel: Readonly<Record<string, string>> = { PS256: 'RS256', PS384: 'RS384', PS512: 'RS512', RS256: 'PS256', RS384: 'PS384', RS512: 'PS512' };
    for (const alg of all) {
      const client = await createProofClient(alg);
      const proof = await signProof(client, { jti: alg });
      expect(text(await verify(proof, all))).toEqual({ jti: alg });
      const other = relabel[alg];
      if (other === undefined) continue;
      const { payload, signature } = splitCompactJws(proof, DPOP_PROFILE);
      const relabelled = `${base64urlJson({ typ: 'dpop+jwt', alg: other, jwk: client.publicJwk })}.${payload}.${signature}`;
      await expectBindingError(verify(relabelled, all), FailureType.ProofSignature, 'invalid_dpop_proof');
    }
  });

  it('E11: a proof signed with another key than its jwk fails', async () => {
    const [holder, thief] = [await createProofClient(), await createProofClient()];
    const proof = await signProof(thief, proofClaims('token'), { jwk: holder.publicJwk });
    await expectBindingError(verify(proof), FailureType.ProofSignature, 'invalid_dpop_proof');
  });

  it('E11: a proof whose payload was changed after signing fails', async () => {
    const client = await createProofClient();
    const { header, signature } = splitCompactJws(await signProof(client, proofClaims('token', { htm: 'GET' })), DPOP_PROFILE);
    const tampered = `${header}.${base64urlJson(proofClaims('token', { htm: 'DELETE' }))}.${signature}`;
    await expectBindingError(verify(tampered), FailureType.ProofSignature, 'invalid_dpop_proof');
  });

  it('E11: no fallback: an RSA-PSS signature verifies under PS256 only, not under RS256 with the same key', async () => {
    const client = await createProofClient('PS256');
    const pssProof = (alg: string): string => {
      const signingInput = `${base64urlJson({ typ: 'dpop+jwt', alg, jwk: client.publicJwk })}.${base64urlJson({ jti: 'x' })}`;
      const signature = nodeSign('sha256', Buffer.from(signingInput), {
        key: KeyObject.from(client.privateKey as Parameters<typeof KeyObject.from>[0]),
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: 32,
      });
      return `${signingInput}.${signature.toString('base64url')}`;
    };
    expect(text(await verify(pssProof('PS256'), ['PS256', 'RS256']))).toEqual({ jti: 'x' });
    await expectBindingError(verify(pssProof('RS256'), ['PS256', 'RS256']), FailureType.ProofSignature, 'invalid_dpop_proof');
  });

  it('E11: the key verifies only the proof whose header it was resolved from (no key from another header)', async () => {
    const [holder, other] = [await createProofClient(), await createProofClient()];
    const proofKey = await keysFor(['ES256']).resolve(splitCompactJws(await signProof(holder, { jti: 'h' }), DPOP_PROFILE).header);
    const foreign = await signProof(other, { jti: 'o' });
    expectBindingError(() => verifyProofSignature(foreign, proofKey), FailureType.MalformedProof, 'invalid_dpop_proof');
  });

  it('E6: a payload segment no base64url encoder writes (length 4n+1) is malformed, as jose found it', async () => {
    const { header, signature } = splitCompactJws(RFC9449_RESOURCE_REQUEST.proof, DPOP_PROFILE);
    await expectBindingError(verify(`${header}.AAAAA.${signature}`), FailureType.MalformedProof, 'invalid_dpop_proof');
  });

  it('E6: a DER-encoded ES256 signature over the right input is refused (RFC 7518 §3.4)', async () => {
    const client = await createProofClient('ES256');
    const proof = await signProof(client, { jti: 'der' });
    const input = proof.slice(0, proof.lastIndexOf('.'));
    const der = nodeSign('sha256', Buffer.from(input), { key: KeyObject.from(client.privateKey as Parameters<typeof KeyObject.from>[0]), dsaEncoding: 'der' });
    await expectBindingError(verify(`${input}.${der.toString('base64url')}`), FailureType.ProofSignature, 'invalid_dpop_proof');
  });

  it('E6: a signature segment that is not valid base64url is malformed', async () => {
    const { header, payload } = splitCompactJws(RFC9449_RESOURCE_REQUEST.proof, DPOP_PROFILE);
    await expectBindingError(verify(`${header}.${payload}.AAAAA`), FailureType.MalformedProof, 'invalid_dpop_proof');
  });
});
