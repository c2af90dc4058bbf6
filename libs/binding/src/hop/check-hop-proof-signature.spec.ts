import { describe, expect, it } from '@jest/globals';
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { CompactSign } from 'jose';
import { expectBindingError } from '../../test-support/expect-binding-error.js';
import { FailureType, type ErrorCode } from '../errors/failure-type.js';
import type { CertificateKeyAlgorithm } from '../mtls/certificate-key.js';
import type { ValidatedCertificate } from '../mtls/certificate-path.js';
import { checkHopProofSignature } from './check-hop-proof-signature.js';
import { parseHopProof } from './parse-hop-proof.js';

// H4 in isolation: the certificate is a stand-in holding only a key (H3 is tested elsewhere).

const CLAIMS = { jti: 'id-1', iat: 1_700_000_000, aud: 'spiffe://estate.local/inventory', sub: 'inventory.reserve', ath: 'a', pdh: 'p' };
const ALGORITHMS = ['ES256', 'EdDSA'] as const;

const keyPair = (alg: CertificateKeyAlgorithm): { privateKey: KeyObject; publicKey: KeyObject } =>
  alg === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519');

const certificateOf = (publicKey: KeyObject, keyAlgorithm: CertificateKeyAlgorithm): ValidatedCertificate =>
  Object.freeze({ spiffeId: 'spiffe://estate.local/orders', thumbprint: 'x5t', publicKey, keyAlgorithm });

const signed = (privateKey: KeyObject, alg: CertificateKeyAlgorithm, claims: unknown = CLAIMS): Promise<string> =>
  new CompactSign(Buffer.from(JSON.stringify(claims))).setProtectedHeader({ typ: 'hop+jwt', alg, x5c: ['MIIB'] }).sign(privateKey);

// A signature that does not verify is a verdict with nothing underneath; a fault (a key of the
// wrong kind) keeps what node:crypto said as its `cause`.
function expectRefused(action: () => unknown, type: FailureType, code: ErrorCode): void {
  const error = expectBindingError(action, type, code);
  if (type !== FailureType.ProofSignature) expect(error.cause).toBeDefined();
}

describe('checkHopProofSignature', () => {
  it.each(ALGORITHMS)('H4: an %s proof verifies with its key and yields exactly the signed claims bytes', async (alg) => {
    const { privateKey, publicKey } = keyPair(alg);
    const proof = parseHopProof(await signed(privateKey, alg), ALGORITHMS);
    const payload = checkHopProofSignature(proof, certificateOf(publicKey, alg));
    expect(JSON.parse(Buffer.from(payload).toString('utf8'))).toEqual(CLAIMS);
  });

  it.each(ALGORITHMS)('H4: an %s proof signed by another key fails with ProofSignature', async (alg) => {
    const { privateKey } = keyPair(alg);
    const proof = parseHopProof(await signed(privateKey, alg), ALGORITHMS);
    expectRefused(() => checkHopProofSignature(proof, certificateOf(keyPair(alg).publicKey, alg)), FailureType.ProofSignature, 'invalid_dpop_proof');
  });

  it('H4: claims swapped under a valid header and signature fail with ProofSignature', async () => {
    const { privateKey, publicKey } = keyPair('ES256');
    const [header, , signature] = (await signed(privateKey, 'ES256')).split('.');
    const claims = Buffer.from(JSON.stringify({ ...CLAIMS, sub: 'inventory.release' })).toString('base64url');
    const proof = parseHopProof(`${header}.${claims}.${signature}`, ALGORITHMS);
    expectRefused(() => checkHopProofSignature(proof, certificateOf(publicKey, 'ES256')), FailureType.ProofSignature, 'invalid_dpop_proof');
  });

  it('H4: RFC 7518 §3.4: a DER-encoded ES256 signature over the right input is refused, not converted', async () => {
    const { privateKey, publicKey } = keyPair('ES256');
    const input = (await signed(privateKey, 'ES256')).split('.').slice(0, 2).join('.');
    const der = sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'der' }).toString('base64url');
    const proof = parseHopProof(`${input}.${der}`, ALGORITHMS);
    expectRefused(() => checkHopProofSignature(proof, certificateOf(publicKey, 'ES256')), FailureType.ProofSignature, 'invalid_dpop_proof');
  });

  it('H3, H4: a key of another kind than the header alg is refused with ProofKey, never tried', async () => {
    const ed = keyPair('EdDSA');
    const proof = parseHopProof(await signed(keyPair('ES256').privateKey, 'ES256'), ALGORITHMS);
    expectRefused(() => checkHopProofSignature(proof, certificateOf(ed.publicKey, 'ES256')), FailureType.ProofKey, 'invalid_dpop_proof');
  });

  it('H4: a signature of the right alg but the wrong length (63, 65 octets) fails with ProofSignature', async () => {
    const { privateKey, publicKey } = keyPair('ES256');
    const [header, claims, signature] = (await signed(privateKey, 'ES256')).split('.') as [string, string, string];
    const bytes = Buffer.from(signature, 'base64url');
    for (const wrong of [bytes.subarray(1), Buffer.concat([bytes, Buffer.alloc(1)])]) {
      const proof = parseHopProof(`${header}.${claims}.${wrong.toString('base64url')}`, ALGORITHMS);
      expectRefused(() => checkHopProofSignature(proof, certificateOf(publicKey, 'ES256')), FailureType.ProofSignature, 'invalid_dpop_proof');
    }
  });

  it('H4: a payload segment that is no whole number of octets is malformed, as jose found it', async () => {
    const { privateKey, publicKey } = keyPair('ES256');
    const [header, , signature] = (await signed(privateKey, 'ES256')).split('.');
    const proof = parseHopProof(`${header}.AAAAA.${signature}`, ALGORITHMS);
    let error: unknown;
    try {
      checkHopProofSignature(proof, certificateOf(publicKey, 'ES256'));
    } catch (reason) {
      error = reason;
    }
    expect(error).toMatchObject({ type: FailureType.MalformedProof, code: 'invalid_dpop_proof' });
  });

  it('H4: a signature segment that is no whole number of octets is malformed, already when parsed', async () => {
    const { privateKey } = keyPair('EdDSA');
    const input = (await signed(privateKey, 'EdDSA')).split('.').slice(0, 2).join('.');
    expect(() => parseHopProof(`${input}.A`, ALGORITHMS)).toThrow(expect.objectContaining({ type: FailureType.MalformedProof, code: 'invalid_dpop_proof' }));
  });
});
