import { describe, expect, it } from '@jest/globals';
import { decodeProtectedHeader } from 'jose';
import { createFixtureAuthority, issueFixtureCertificate } from '../../test-support/fixture-certificates.js';
import { createHopProofSigner } from '../hop/sign-hop-proof.js';
import { RotatingHopProofSigner } from '../hop/rotating-hop-proof-signer.js';
import { ACCESS_TOKEN_TYPE } from '../token/token-types.js';
import { HOP_PROOF_HEADER } from '../hop/hop-header-names.js';
import { JWT_TOKEN_TYPE } from '../token/token-types.js';
import { SubjectToken } from '../token/subject-token.js';
import { ExchangedTokenCache } from './exchanged-token-cache.js';
import type { HopTransport, HopTransportRequest } from './hop-transport.js';
import { createTokenExchanger } from './token-exchanger.js';

const ORDERS = 'spiffe://estate.local/orders';
const INVENTORY = 'spiffe://estate.local/inventory';

async function signerFor(issuer: { certificatePem: string; privateKeyPem: string }) {
  const leaf = await issueFixtureCertificate(issuer, { commonName: 'orders', uris: [ORDERS] });
  return createHopProofSigner({ privateKey: leaf.privateKeyPem, certificateChainPem: leaf.certificatePem });
}

/** An STS stand-in that answers every exchange and records which certificate signed each proof. */
function recordingSts(): HopTransport & { readonly x5c: string[] } {
  const x5c: string[] = [];
  let issued = 0;
  return {
    x5c,
    async request(request: HopTransportRequest) {
      x5c.push(decodeProtectedHeader(request.headers[HOP_PROOF_HEADER]!).x5c![0]!);
      issued += 1;
      return { access_token: `token-${issued}`, issued_token_type: JWT_TOKEN_TYPE, token_type: 'N_A', expires_in: 60, scope: 'orders:write' };
    },
  };
}

describe('createTokenExchanger: the cache follows the caller certificate (L2)', () => {
  it('L2: after the signer swaps to a renewed certificate, the next exchange goes to the STS with a proof from the new certificate', async () => {
    const ca = await createFixtureAuthority();
    const first = await signerFor(ca);
    const renewed = await signerFor(ca);
    const signer = new RotatingHopProofSigner(first);
    const sts = recordingSts();
    const now = 1_000;
    const exchanger = createTokenExchanger({
      transport: sts,
      signer,
      stsAudience: 'spiffe://estate.local/sts',
      exchangeSubject: 'sts.exchange',
      timeoutMs: 1_000,
      cache: new ExchangedTokenCache({ clock: () => now }),
      clock: () => now,
    });
    const input = { subjectToken: new SubjectToken('a.b.c', ACCESS_TOKEN_TYPE, 2_000_000_000), audience: INVENTORY, scope: 'orders:write' };

    expect((await exchanger.exchange(input)).accessToken).toBe('token-1');
    expect((await exchanger.exchange(input)).accessToken).toBe('token-1'); // cached
    signer.use(renewed);
    expect(signer.certificateThumbprint).toBe(renewed.certificateThumbprint);
    expect((await exchanger.exchange(input)).accessToken).toBe('token-2');
    expect(sts.x5c).toHaveLength(2);
    expect(sts.x5c[0]).not.toBe(sts.x5c[1]);
    // A caller still pinned to the superseded certificate gets the token bound to it, never the new one.
    expect((await exchanger.exchange(input, first)).accessToken).toBe('token-1');
    exchanger.forget(input, first);
    expect((await exchanger.exchange(input)).accessToken).toBe('token-2');
  });
});
