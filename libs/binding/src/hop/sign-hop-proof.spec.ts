import { beforeAll, describe, expect, it } from '@jest/globals';
import { createHash, createPrivateKey } from 'node:crypto';
import { compactVerify, decodeJwt, decodeProtectedHeader, importX509 } from 'jose';
import { createCertificateAuthority, issueCertificate, type Authority, type IssuedCertificate } from '../../test-support/pki.js';
import { BindingConfigError } from '../errors/binding-error.js';
import { payloadHash } from './payload-hash.js';
import { createHopProofSigner, HOP_PROOF_LIFETIME_S } from './sign-hop-proof.js';

const NOW = 1_700_000_000;
const INVENTORY = 'spiffe://estate.local/inventory';
const TOKEN = 'header.claims.signature';
const INPUT = { audience: INVENTORY, subject: 'inventory.reserve', token: TOKEN, payload: { sku: 'A-1' }, now: NOW };
const sha256 = (input: string | Uint8Array): string => createHash('sha256').update(input).digest('base64url');

let ca: Authority;
let ec: IssuedCertificate;
let ed: IssuedCertificate;

beforeAll(async () => {
  ca = await createCertificateAuthority();
  ec = await issueCertificate(ca, { commonName: 'orders', spiffeId: 'spiffe://estate.local/orders', usage: 'client' });
  ed = await issueCertificate(ca, { commonName: 'orders', spiffeId: 'spiffe://estate.local/orders', usage: 'client', keyAlgorithm: 'EdDSA' });
});

describe('createHopProofSigner', () => {
  it.each([
    ['ES256', () => ec],
    ['EdDSA', () => ed],
  ] as const)('H2, H4: an %s proof has the hop header and claims, and verifies with jose against the certificate', async (alg, credential) => {
    const { certificatePem, privateKeyPem, der } = credential();
    const signer = createHopProofSigner({ privateKey: privateKeyPem, certificateChainPem: certificatePem });
    const proof = await signer.sign(INPUT);
    expect(decodeProtectedHeader(proof)).toEqual({ typ: 'hop+jwt', alg, x5c: [Buffer.from(der).toString('base64')] });
    expect(decodeJwt(proof)).toEqual({
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
      iat: NOW,
      exp: NOW + HOP_PROOF_LIFETIME_S,
      aud: INVENTORY,
      sub: 'inventory.reserve',
      ath: sha256(TOKEN),
      pdh: payloadHash({ sku: 'A-1' }),
    });
    const key = await importX509(certificatePem, alg);
    await expect(compactVerify(proof, key, { algorithms: [alg] })).resolves.toBeDefined();
    expect(signer.certificateThumbprint).toBe(sha256(der));
  });

  it('H6: every proof has a fresh jti; iat comes from the clock unless given', async () => {
    const signer = createHopProofSigner({ privateKey: createPrivateKey(ec.privateKeyPem), x5c: [Buffer.from(ec.der).toString('base64')], clock: () => NOW + 5 });
    const { now: _now, ...withoutNow } = INPUT;
    const first = decodeJwt(await signer.sign(withoutNow));
    const second = decodeJwt(await signer.sign(withoutNow));
    expect(first.jti).not.toBe(second.jti);
    expect(first.iat).toBe(NOW + 5);
  });

  it('H3: the chain may carry intermediates after the leaf, in order', async () => {
    const signer = createHopProofSigner({ privateKey: ec.privateKeyPem, certificateChainDer: [ec.der, ca.der] });
    expect(decodeProtectedHeader(await signer.sign(INPUT)).x5c).toEqual([ec.der, ca.der].map((der) => Buffer.from(der).toString('base64')));
  });

  it('H3: a key that does not belong to the leaf, or an alg that does not fit it, is a configuration error', () => {
    expect(() => createHopProofSigner({ privateKey: ed.privateKeyPem, certificateChainDer: [ec.der] })).toThrow(BindingConfigError);
    expect(() => createHopProofSigner({ privateKey: ec.privateKeyPem, certificateChainDer: [ec.der], alg: 'EdDSA' })).toThrow(BindingConfigError);
    expect(() => createHopProofSigner({ privateKey: ca.privateKeyPem, certificateChainDer: [ec.der] })).toThrow(BindingConfigError);
  });

  it('H3: the chain is given in exactly one form, and must parse', () => {
    const x5c = [Buffer.from(ec.der).toString('base64')];
    expect(() => createHopProofSigner({ privateKey: ec.privateKeyPem })).toThrow(BindingConfigError);
    expect(() => createHopProofSigner({ privateKey: ec.privateKeyPem, x5c, certificateChainDer: [ec.der] })).toThrow(BindingConfigError);
    expect(() => createHopProofSigner({ privateKey: ec.privateKeyPem, x5c: [] })).toThrow(BindingConfigError);
    expect(() => createHopProofSigner({ privateKey: ec.privateKeyPem, certificateChainPem: 'no certificate' })).toThrow(BindingConfigError);
    expect(() => createHopProofSigner({ privateKey: ec.privateKeyPem, certificateChainDer: [new Uint8Array([...ec.der, 0])] })).toThrow(BindingConfigError);
    expect(() => createHopProofSigner({ privateKey: 'not a key', x5c })).toThrow(BindingConfigError);
  });

  it('H5: an empty audience, subject or token is a TypeError, never a proof', async () => {
    const signer = createHopProofSigner({ privateKey: ec.privateKeyPem, certificateChainDer: [ec.der] });
    await expect(signer.sign({ ...INPUT, audience: '' })).rejects.toThrow(TypeError);
    await expect(signer.sign({ ...INPUT, subject: '' })).rejects.toThrow(TypeError);
    await expect(signer.sign({ ...INPUT, token: '' })).rejects.toThrow(TypeError);
    await expect(signer.sign({ ...INPUT, now: 1.5 })).rejects.toThrow(TypeError);
  });

  it('H7: a payload JSON cannot carry is a TypeError, never a proof', async () => {
    const signer = createHopProofSigner({ privateKey: ec.privateKeyPem, certificateChainDer: [ec.der] });
    await expect(signer.sign({ ...INPUT, payload: { n: 10n } })).rejects.toThrow(TypeError);
  });

  it('H4: the signer works with a KeyObject as given, and its ES256 signature is the 64-octet R || S', async () => {
    const signer = createHopProofSigner({ privateKey: createPrivateKey(ec.privateKeyPem), certificateChainDer: [ec.der] });
    const proof = await signer.sign(INPUT);
    expect(Buffer.from(proof.split('.')[2]!, 'base64url')).toHaveLength(64);
    await expect(compactVerify(proof, await importX509(ec.certificatePem, 'ES256'), { algorithms: ['ES256'] })).resolves.toBeDefined();
  });
});
