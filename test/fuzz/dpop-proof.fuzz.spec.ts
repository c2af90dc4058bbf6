import { beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { FailureType, MemoryReplayStore, type DpopRequest } from '#binding';
import { parseAuthorization } from '../../libs/binding/src/dpop/parse-authorization.js';
import { dpopRequest, setupVerifier } from '../../libs/binding/src/dpop/dpop-verifier.fixture.js';
import { createProofClient, signProof, type ProofClient } from '../../libs/binding/test-support/dpop-proofs.js';
import { NOW, proofClaims } from '../../libs/binding/src/dpop/proof-client.fixture.js';
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

// Property-based tests of the edge's DPoP parsing and verification (E1-E20) with mutated input:
// every refusal is a BindingError with a code from FAILURES (never a 500), no mutated proof is
// accepted, every run settles in bounded time, and a refused request never burns the jti of the
// valid proof it was made from (STYLE: the replay claim runs last).

type Setup = Awaited<ReturnType<typeof setupVerifier>>;
let setup: Setup;
let attacker: ProofClient;

beforeAll(async () => {
  setup = await setupVerifier({ replayStore: new MemoryReplayStore({ sweepIntervalMs: 0 }) });
  attacker = await createProofClient();
});

/** A fresh valid proof (its own jti) and the request carrying it. */
async function validRequest(claims: Record<string, unknown> = {}): Promise<{ proof: string; request: DpopRequest }> {
  return setup.send(claims);
}

/** The mutated request is refused; the valid one it came from is still accepted afterwards. */
async function refusedThenOriginalAccepted(mutated: DpopRequest, original: DpopRequest): Promise<void> {
  const error = await expectRefusal(() => setup.verifier.verify(mutated));
  expect(error.type).not.toBe(FailureType.ReplayStoreUnavailable);
  await expect(setup.verifier.verify(original)).resolves.toMatchObject({ jkt: setup.client.jkt });
}

/** Same text, or a signature segment that only differs in base64url bits that decode away. */
function decodesAsOriginal(mutated: string, original: string): boolean {
  const [h, p, s] = mutated.split('.');
  const [oh, op, os] = original.split('.');
  if (mutated.split('.').length !== 3 || h !== oh || p !== op || !/^[A-Za-z0-9_-]+$/.test(s ?? '')) return false;
  return Buffer.from(s as string, 'base64url').equals(Buffer.from(os as string, 'base64url'));
}

const HEADER_MEMBERS = ['typ', 'alg', 'jwk', 'crit', 'kid', 'jku', 'x5c', 'b64'] as const;
const JWK_MEMBERS = ['kty', 'crv', 'x', 'y', 'd', 'k', 'n', 'e'] as const;
const CLAIMS = ['jti', 'htm', 'htu', 'iat', 'ath', 'nonce', 'exp', 'nbf', 'extra'] as const;

/** A change to the decoded header or claims, re-encoded; the signature is kept (so it no longer matches). */
const alteredJson: fc.Arbitrary<TextMutation> = fc
  .tuple(fc.boolean(), fc.constantFrom<string>(...HEADER_MEMBERS, ...JWK_MEMBERS.map((name) => `jwk.${name}`), ...CLAIMS), fc.option(oddValue, { nil: undefined }))
  .map(([inHeader, path, value]) => (jws: string) => {
    const [header, payload, signature] = jws.split('.') as [string, string, string];
    const target = decodeSegment(inHeader && !CLAIMS.includes(path as never) ? header : payload);
    const [first, second] = path.split('.') as [string, string | undefined];
    const holder = second === undefined ? target : ((target[first] ??= {}) as Record<string, unknown>);
    const name = second ?? first;
    if (value === undefined) delete holder[name];
    else holder[name] = value;
    const encoded = segmentOf(target);
    return inHeader && !CLAIMS.includes(path as never) ? `${encoded}.${payload}.${signature}` : `${header}.${encoded}.${signature}`;
  });

/** Claims that must fail even when the client's own key signs them (E10, E12, E13, E16, E19). */
const failingClaims: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  fc.constantFrom<Record<string, unknown>>(
    { htm: 'get' },
    { htm: 'POST' },
    { htm: 'GET ' },
    { htu: 'https://api.example.com/Orders' },
    { htu: 'https://api.example.com//orders' },
    { htu: 'https://evil.example/orders' },
    { htu: 'http://api.example.com/orders' },
    { htu: 'https://api.example.com/orders/' },
    { htu: '/orders' },
    { iat: NOW - 3_600 },
    { iat: NOW + 3_600 },
    // E10: a fractional iat is a NumericDate (RFC 7519 §2) and passes inside the window; just outside, it fails (E16).
    { iat: NOW - 60.5 },
    { iat: NOW + 10.5 },
    { iat: String(NOW) },
    { jti: '' },
    { jti: 'j'.repeat(257) },
    { jti: 42 },
    { ath: 'AAAA' },
    { ath: undefined },
    { exp: NOW - 1 },
    { nbf: NOW + 3_600 },
    { nonce: 7 },
  ),
  fc.constantFrom('jti', 'htm', 'htu', 'iat', 'ath').chain((name) =>
    oddValue.filter((value) => typeof value !== 'string' || name === 'ath' || value === '').map((value) => ({ [name]: value })),
  ),
);

describe('fuzz: DPoP framing and parsers (E1-E6)', () => {
  it('E1-E4: random Authorization and DPoP values either parse or fail with a BindingError from FAILURES', async () => {
    const values = fc.option(fc.array(fc.oneof(randomText, fc.constantFrom('DPoP', 'DPoP ', 'dpop a.b.c', 'Bearer x', 'DPoP a b')), { maxLength: 3 }), { nil: undefined });
    await fc.assert(
      fc.asyncProperty(values, values, async (authorization, dpop) => {
        let parsed: unknown;
        try {
          parsed = parseAuthorization(authorization, dpop);
        } catch {
          await expectRefusal(() => parseAuthorization(authorization, dpop));
          return;
        }
        expect(parsed).toMatchObject({ scheme: expect.stringMatching(/^(dpop|bearer)$/) });
        // Whatever parses as credentials is still refused by the verifier: none of it is a bound request.
        await expectRefusal(() => setup.verifier.verify({ ...dpopRequest('x', 'y'), authorization, dpop }));
      }),
      fuzzParameters(300),
    );
  });
});

describe('fuzz: mutated DPoP proofs are never accepted (E6-E20)', () => {
  it('E6, E11: a flipped character, reshaped segments or a huge segment is refused and burns no jti', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof({ weight: 4, arbitrary: flippedCharacter }, reshapedSegments, inflated), async (mutate) => {
        const { proof, request } = await validRequest();
        const mutated = mutate(proof);
        fc.pre(mutated !== proof);
        await refusedThenOriginalAccepted({ ...request, dpop: [mutated] }, request);
      }),
      fuzzParameters(250),
    );
  });

  it('E6, E11: the same signature spelled with other trailing bits is refused as malformed and burns no jti', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'), async (last) => {
        const { proof, request } = await validRequest();
        const mutated = `${proof.slice(0, -1)}${last}`;
        fc.pre(mutated !== proof && decodesAsOriginal(mutated, proof));
        const error = await expectRefusal(() => setup.verifier.verify({ ...request, dpop: [mutated] }));
        expect(error.type).toBe(FailureType.MalformedProof);
        await expect(setup.verifier.verify(request)).resolves.toMatchObject({ jkt: setup.client.jkt });
      }),
      fuzzParameters(15),
    );
  });

  it('E6-E10: an altered JSON header or claims set under the original signature is refused and burns no jti', async () => {
    await fc.assert(
      fc.asyncProperty(alteredJson, async (mutate) => {
        const { proof, request } = await validRequest();
        const mutated = mutate(proof);
        fc.pre(mutated !== proof);
        await refusedThenOriginalAccepted({ ...request, dpop: [mutated] }, request);
      }),
      fuzzParameters(250),
    );
  });

  it('E10-E19: claims that must fail are refused even when signed by the bound key', async () => {
    await fc.assert(
      fc.asyncProperty(failingClaims, async (claims) => {
        const { request: original } = await validRequest();
        const proof = await signProof(setup.client, proofClaims(setup.token, claims));
        await refusedThenOriginalAccepted({ ...original, dpop: [proof] }, original);
      }),
      fuzzParameters(150),
    );
  });

  it('E20: any proof signed by a key the token is not bound to is refused, whatever its claims', async () => {
    const extra = fc.dictionary(fc.constantFrom('jti', 'htm', 'htu', 'iat', 'extra'), oddValue, { maxKeys: 2 });
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.constant({}), extra), fc.boolean(), async (claims, borrowHeaderKey) => {
        const { request: original } = await validRequest();
        // Optionally lie about the key: the victim's jwk in the header, the attacker's signature.
        const header = borrowHeaderKey ? { jwk: setup.client.publicJwk } : {};
        const proof = await signProof(attacker, proofClaims(setup.token, claims), header);
        await refusedThenOriginalAccepted({ ...original, dpop: [proof] }, original);
      }),
      fuzzParameters(120),
    );
  });

  it('E2, E3, E5: duplicated or conflicting headers are refused', async () => {
    const shapes = fc.constantFrom<(request: DpopRequest, other: string) => Partial<DpopRequest>>(
      (request) => ({ dpop: [...request.dpop!, ...request.dpop!] }),
      (request, other) => ({ dpop: [request.dpop![0] as string, other] }),
      (request, other) => ({ dpop: [`${request.dpop![0]},${other}`] }),
      (request) => ({ dpop: [`${request.dpop![0]} `] }),
      (request) => ({ authorization: [...request.authorization!, ...request.authorization!] }),
      (request) => ({ authorization: [(request.authorization![0] as string).replace('DPoP', 'Bearer')] }),
      (request) => ({ authorization: [(request.authorization![0] as string).replace('DPoP ', 'DPoP\t')] }),
      (request) => ({ authorization: [`${request.authorization![0]} `] }),
      (request) => ({ authorization: undefined }),
      (request) => ({ dpop: [] }),
      (request) => ({ host: ['api.example.com', 'api.example.com'] }),
      (request) => ({ host: ['evil.example'] }),
      (request) => ({ target: '//evil.example/orders' }),
      (request) => ({ bodyHasAccessToken: true }),
      (request) => ({ method: 'POST' }),
    );
    await fc.assert(
      fc.asyncProperty(shapes, async (shape) => {
        const { request: original } = await validRequest();
        const { proof: other } = await validRequest();
        await refusedThenOriginalAccepted({ ...original, ...shape(original, other) }, original);
      }),
      fuzzParameters(60),
    );
  });
});
