import { describe, expect, it } from '@jest/globals';
import { decodeProtectedHeader } from 'jose';
import { createFixtureAuthority, issueFixtureCertificate } from '../../test-support/fixture-certificates.js';
import { BindingConfigError } from '../errors/binding-error.js';
import { pinnedSigner, RotatingHopProofSigner } from './rotating-hop-proof-signer.js';
import { createHopProofSigner } from './sign-hop-proof.js';

const ORDERS = 'spiffe://estate.local/orders';
const input = { audience: 'spiffe://estate.local/inventory', subject: 'inventory.reserve', token: 'a.b.c', payload: { sku: 'A-1' } };

describe('RotatingHopProofSigner (L2)', () => {
  it('L2: signs with the new key and carries the new x5c from the moment use() is called; pinned signers keep theirs', async () => {
    const ca = await createFixtureAuthority();
    const [old, renewed] = await Promise.all([0, 1].map(() => issueFixtureCertificate(ca, { commonName: 'orders', uris: [ORDERS] })));
    const first = createHopProofSigner({ privateKey: old!.privateKeyPem, certificateChainPem: old!.certificatePem });
    const second = createHopProofSigner({ privateKey: renewed!.privateKeyPem, certificateChainPem: renewed!.certificatePem });
    const signer = new RotatingHopProofSigner(first);
    const pinned = pinnedSigner(signer);
    expect(decodeProtectedHeader(await signer.sign(input)).x5c).toEqual([old!.x5c]);
    signer.use(second);
    expect(signer.certificateThumbprint).toBe(second.certificateThumbprint);
    expect(decodeProtectedHeader(await signer.sign(input)).x5c).toEqual([renewed!.x5c]);
    expect(decodeProtectedHeader(await pinned.sign(input)).x5c).toEqual([old!.x5c]);
    expect(pinnedSigner(first)).toBe(first);
  });

  it('refuses something that is not a signer', () => {
    expect(() => new RotatingHopProofSigner({} as never)).toThrow(BindingConfigError);
  });
});
