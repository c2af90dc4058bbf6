import { beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { FailureType } from '#binding';
import type { HopRequest } from '../../libs/binding/src/hop/verify-hop-proof.js';
import { checkSingleHopProof, checkSingleHopToken } from '../../libs/binding/src/hop/check-hop-headers.js';
import { parseHopProof } from '../../libs/binding/src/hop/parse-hop-proof.js';
import { createCertificateAuthority, issueCertificate } from '../../certs/pki.js';
import { createEstate, INVENTORY, ORDERS, PAYLOAD, SUBJECT, type Credential, type Estate } from '../../libs/binding/src/hop/hop-fixtures.spec-helper.js';
import {
  decodeSegment,
  expectRefusal,
  flippedCharacter,
  fuzzParameters,
  inflated,
  oddValue,
  randomText,
  reshapedSegments,
  segmentOf,
  type TextMutation,
} from './fuzz-support.js';

// Property-based tests of the internal hop checks (H1-H11) with mutated input: every refusal is a
// BindingError with a code from FAILURES (never a 500), no mutated proof or token is accepted,
// each run settles in bounded time, and a refused call never burns the jti of the valid proof it
// was made from.

let estate: Estate;
let orders: Credential;
let rogue: Credential;

beforeAll(async () => {
  const ca = await createCertificateAuthority();
  const credential = async (authority: typeof ca, spiffeId: string): Promise<Credential> => ({
    ...(await issueCertificate(authority, { commonName: spiffeId.split('/').pop()!, spiffeId, usage: 'client' })),
    spiffeId,
  });
  orders = await credential(ca, ORDERS);
  rogue = await credential(await createCertificateAuthority(), ORDERS);
  estate = await createEstate(ca.certificatePem);
});

async function validRequest(): Promise<HopRequest> {
  const token = await estate.mintToken(orders);
  const proof = await estate.signer(orders).sign({ audience: INVENTORY, subject: SUBJECT, token, payload: PAYLOAD });
  return { subject: SUBJECT, headers: { token: [token], proof: [proof] }, payload: PAYLOAD };
}

const proofOf = (request: HopRequest): string => request.headers.proof![0] as string;
const tokenOf = (request: HopRequest): string => request.headers.token![0] as string;
const withProof = (request: HopRequest, proof: string): HopRequest => ({ ...request, headers: { ...request.headers, proof: [proof] } });

async function refusedThenOriginalAccepted(mutated: HopRequest, original: HopRequest): Promise<void> {
  const error = await expectRefusal(() => estate.verifier.verify(mutated));
  expect(error.type).not.toBe(FailureType.ReplayStoreUnavailable);
  await expect(estate.verifier.verify(original)).resolves.toMatchObject({ caller: ORDERS });
}

/** Same header and claims text, and a signature decoding to the same bytes: the same proof. */
function decodesAsOriginal(mutated: string, original: string): boolean {
  const [h, p, s] = mutated.split('.');
  const [oh, op, os] = original.split('.');
  if (mutated.split('.').length !== 3 || h !== oh || p !== op || !/^[A-Za-z0-9_-]+$/.test(s ?? '')) return false;
  return Buffer.from(s as string, 'base64url').equals(Buffer.from(os as string, 'base64url'));
}

const HEADER_MEMBERS = ['typ', 'alg', 'x5c', 'crit', 'jwk', 'kid', 'x5u'] as const;
const CLAIMS = ['jti', 'iat', 'exp', 'aud', 'sub', 'ath', 'pdh', 'extra'] as const;

/** A changed header or claims member, re-encoded under the original signature. */
const alteredJson: fc.Arbitrary<TextMutation> = fc
  .tuple(fc.constantFrom<string>(...HEADER_MEMBERS, ...CLAIMS, 'x5c.0', 'x5c.1'), fc.option(fc.oneof(oddValue, fc.base64String({ maxLength: 400 })), { nil: undefined }))
  .map(([path, value]) => (jws: string) => {
    const [header, payload, signature] = jws.split('.') as [string, string, string];
    const inHeader = !CLAIMS.includes(path as never);
    const target = decodeSegment(inHeader ? header : payload);
    const [name, index] = path.split('.') as [string, string | undefined];
    if (index !== undefined) {
      const list = Array.isArray(target[name]) ? [...(target[name] as unknown[])] : [];
      list[Number(index)] = value;
      target[name] = list;
    } else if (value === undefined) delete target[name];
    else target[name] = value;
    const encoded = segmentOf(target);
    return inHeader ? `${encoded}.${payload}.${signature}` : `${header}.${encoded}.${signature}`;
  });

/** Claims that must fail even when the caller's own certificate key signs them (H2, H5-H7). */
const failingClaims: fc.Arbitrary<Record<string, unknown>> = fc.constantFrom<Record<string, unknown>>(
  { aud: ORDERS },
  { aud: [INVENTORY] },
  { aud: `${INVENTORY}/` },
  { sub: 'inventory.release' },
  { sub: 'inventory.*' },
  { iat: 0 },
  { iat: 4_102_444_800 },
  { iat: 1.5 },
  { iat: '1700000000' },
  { exp: undefined },
  { exp: '1700000060' },
  { exp: 4_102_444_800 },
  { ath: 'AAAA' },
  { pdh: 'AAAA' },
  { jti: '' },
  { jti: 'j'.repeat(257) },
  { jti: 7 },
  { ath: undefined },
  { pdh: undefined },
);

describe('fuzz: hop header framing and parsing (H1, H2)', () => {
  it('H1, H2: random header values either pass framing and parsing or fail with a BindingError from FAILURES', async () => {
    const values = fc.option(fc.array(randomText, { maxLength: 3 }), { nil: undefined });
    await fc.assert(
      fc.asyncProperty(values, values, async (tokens, proofs) => {
        for (const action of [() => checkSingleHopToken(tokens, 8_192), () => checkSingleHopProof(proofs, 16_384)]) {
          try {
            action();
          } catch {
            await expectRefusal(action);
          }
        }
        for (const proof of proofs ?? []) {
          try {
            parseHopProof(proof, ['ES256', 'EdDSA']);
          } catch {
            await expectRefusal(() => parseHopProof(proof, ['ES256', 'EdDSA']));
          }
        }
        await expectRefusal(() => estate.verifier.verify({ subject: SUBJECT, headers: { token: tokens, proof: proofs }, payload: PAYLOAD }));
      }),
      fuzzParameters(300),
    );
  });
});

describe('fuzz: mutated hop proofs and tokens are never accepted (H1-H11)', () => {
  it('H1-H4: a flipped character, reshaped segments or a huge segment in the proof is refused and burns no jti', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof({ weight: 4, arbitrary: flippedCharacter }, reshapedSegments, inflated), async (mutate) => {
        const original = await validRequest();
        const mutated = mutate(proofOf(original));
        fc.pre(mutated !== proofOf(original));
        await refusedThenOriginalAccepted(withProof(original, mutated), original);
      }),
      fuzzParameters(200),
    );
  });

  it('H2, H3, H4: an altered header (typ, alg, x5c, crit...) or claims set under the original signature is refused', async () => {
    await fc.assert(
      fc.asyncProperty(alteredJson, async (mutate) => {
        const original = await validRequest();
        const mutated = mutate(proofOf(original));
        fc.pre(mutated !== proofOf(original));
        await refusedThenOriginalAccepted(withProof(original, mutated), original);
      }),
      fuzzParameters(200),
    );
  });

  it('H2, H5-H7: claims that must fail are refused even when signed by the caller certificate key', async () => {
    await fc.assert(
      fc.asyncProperty(failingClaims, async (claims) => {
        const original = await validRequest();
        const crafted = await estate.craftProof(orders, tokenOf(original), { claims });
        await refusedThenOriginalAccepted(withProof(original, crafted), original);
      }),
      fuzzParameters(60),
    );
  });

  it('H3, H4: a proof signed by another key or carrying a certificate from another CA is refused', async () => {
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.boolean(), async (rogueCertificate, rogueKey) => {
        fc.pre(rogueCertificate || rogueKey);
        const original = await validRequest();
        const crafted = await estate.craftProof(rogueCertificate ? rogue : orders, tokenOf(original), rogueKey ? { signingKeyPem: (rogueCertificate ? orders : rogue).privateKeyPem } : {});
        await refusedThenOriginalAccepted(withProof(original, crafted), original);
      }),
      fuzzParameters(20),
    );
  });

  it('H1, H7-H10: a mutated token, a changed payload or subject, or duplicated headers are refused', async () => {
    const changes = fc.oneof(
      flippedCharacter.map((mutate) => (request: HopRequest) => ({ ...request, headers: { ...request.headers, token: [mutate(tokenOf(request))] } })),
      reshapedSegments.map((mutate) => (request: HopRequest) => ({ ...request, headers: { ...request.headers, token: [mutate(tokenOf(request))] } })),
      fc.constantFrom<(request: HopRequest) => HopRequest>(
        (request) => ({ ...request, headers: { token: request.headers.token, proof: [proofOf(request), proofOf(request)] } }),
        (request) => ({ ...request, headers: { token: [tokenOf(request), tokenOf(request)], proof: request.headers.proof } }),
        (request) => ({ ...request, headers: { token: [], proof: request.headers.proof } }),
        (request) => ({ ...request, headers: { token: request.headers.token, proof: [''] } }),
        (request) => ({ ...request, subject: 'inventory.release' }),
        (request) => ({ ...request, payload: { ...PAYLOAD, quantity: 3 } }),
        (request) => ({ ...request, payload: undefined }),
      ),
      oddValue.map((payload) => (request: HopRequest) => ({ ...request, payload })),
    );
    await fc.assert(
      fc.asyncProperty(changes, async (change) => {
        const original = await validRequest();
        const mutated = change(original);
        fc.pre(JSON.stringify(mutated) !== JSON.stringify(original) && !decodesAsOriginal(tokenOf(mutated) ?? '', tokenOf(original)));
        await refusedThenOriginalAccepted(mutated, original);
      }),
      fuzzParameters(150),
    );
  });
});
