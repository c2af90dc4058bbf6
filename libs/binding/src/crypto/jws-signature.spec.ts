import { beforeAll, describe, expect, it } from '@jest/globals';
import { constants, createPrivateKey, createPublicKey, createSecretKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { CompactSign, compactVerify, exportJWK } from 'jose';
import { resolveDpopAlgorithms } from '../dpop/proof-algorithms.js';
import { RFC9449_JWK, RFC9449_RESOURCE_REQUEST, RFC9449_TOKEN_REQUEST_PROOF } from '../dpop/rfc-examples.fixture.js';
import { CERTIFICATE_KEY_ALGORITHMS } from '../mtls/certificate-key.js';
import { createJwsKey, isJwsAlgorithm, jwkPinOf, signJws, verifyJwsSignature, type JwsKey } from './jws-signature.js';

/** Every algorithm of the table, with the key kind it runs with. */
const ALGORITHMS = ['ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519', 'PS256', 'PS384', 'PS512', 'RS256', 'RS384', 'RS512'] as const;
type Alg = (typeof ALGORITHMS)[number];
type KeyKind = 'P-256' | 'P-384' | 'P-521' | 'Ed25519' | 'RSA';
const KIND: Readonly<Record<Alg, KeyKind>> = {
  ES256: 'P-256',
  ES384: 'P-384',
  ES512: 'P-521',
  EdDSA: 'Ed25519',
  Ed25519: 'Ed25519',
  PS256: 'RSA',
  PS384: 'RSA',
  PS512: 'RSA',
  RS256: 'RSA',
  RS384: 'RSA',
  RS512: 'RSA',
};

let pairs: Record<KeyKind, { publicKey: KeyObject; privateKey: KeyObject }>;

beforeAll(() => {
  pairs = {
    'P-256': generateKeyPairSync('ec', { namedCurve: 'P-256' }),
    'P-384': generateKeyPairSync('ec', { namedCurve: 'P-384' }),
    'P-521': generateKeyPairSync('ec', { namedCurve: 'P-521' }),
    Ed25519: generateKeyPairSync('ed25519'),
    RSA: generateKeyPairSync('rsa', { modulusLength: 2048 }),
  };
});

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const inputOf = (alg: string, claims: unknown = { jti: `jti-${alg}`, n: 'é✓' }): string => `${b64({ typ: 'dpop+jwt', alg })}.${b64(claims)}`;
const signatureOf = (jws: string): Buffer => Buffer.from(jws.slice(jws.lastIndexOf('.') + 1), 'base64url');
const signingInputOf = (jws: string): string => jws.slice(0, jws.lastIndexOf('.'));
const keys = (alg: Alg): { verifyKey: JwsKey; signKey: JwsKey } => ({
  verifyKey: createJwsKey(alg, pairs[KIND[alg]].publicKey),
  signKey: createJwsKey(alg, pairs[KIND[alg]].privateKey),
});

describe('the algorithm table', () => {
  it('E8, H2: holds every algorithm a DPoP allow-list may name and every hop-proof algorithm', () => {
    expect(resolveDpopAlgorithms([...ALGORITHMS])).toEqual(ALGORITHMS);
    for (const alg of [...ALGORITHMS, ...CERTIFICATE_KEY_ALGORITHMS]) expect(isJwsAlgorithm(alg)).toBe(true);
  });

  it('E9: each algorithm\'s JWK pin is the JWK of the key node:crypto runs it with (one table, both sides)', async () => {
    for (const alg of ALGORITHMS) {
      const jwk = await exportJWK(pairs[KIND[alg]].publicKey);
      const pin = jwkPinOf(alg);
      expect(pin).toMatchObject({ kty: jwk.kty, crv: jwk.crv });
      expect(pin?.coordinateLength).toBe(jwk.x === undefined || jwk.kty === 'RSA' ? undefined : jwk.x.length);
      if (jwk.y !== undefined) expect(jwk.y).toHaveLength(pin?.coordinateLength as number);
    }
    expect(jwkPinOf('none')).toBeUndefined();
    expect(jwkPinOf('constructor')).toBeUndefined();
  });

  it('E8: RFC 9449 §4.2: none, MACs and anything unknown are not in it, and get no key', () => {
    for (const alg of ['none', 'HS256', 'HS512', 'ES256K', 'Ed448', 'es256', 'constructor', '__proto__', 'toString', '']) {
      expect(isJwsAlgorithm(alg)).toBe(false);
      expect(() => createJwsKey(alg, pairs['P-256'].publicKey)).toThrow(TypeError);
    }
    expect(() => createJwsKey('HS256', createSecretKey(Buffer.alloc(32)))).toThrow(TypeError);
  });
});

describe.each(ALGORITHMS)('%s both ways against jose', (alg) => {
  it('RFC 7515 §5.2: everything jose signs verifies on the fast path', async () => {
    const { verifyKey } = keys(alg);
    for (const claims of [{ jti: 'a' }, { jti: 'b', htu: 'https://api.example.com/orders?x=1', iat: 1_700_000_000.5 }, { s: 'é✓'.repeat(300) }]) {
      const jws = await new CompactSign(Buffer.from(JSON.stringify(claims))).setProtectedHeader({ typ: 'dpop+jwt', alg }).sign(pairs[KIND[alg]].privateKey);
      expect(verifyJwsSignature(alg, verifyKey, signingInputOf(jws), signatureOf(jws))).toBe(true);
    }
  });

  it('RFC 7515 §5.1: everything the fast path signs verifies with jose (compactVerify, this alg only)', async () => {
    const { signKey } = keys(alg);
    for (const claims of [{ jti: 'a' }, { jti: 'b', nested: { deep: [1, 2, 3] } }, { s: 'é✓'.repeat(300) }]) {
      const input = inputOf(alg, claims);
      const jws = `${input}.${signJws(alg, signKey, input).toString('base64url')}`;
      const { payload } = await compactVerify(jws, pairs[KIND[alg]].publicKey, { algorithms: [alg] });
      expect(JSON.parse(Buffer.from(payload).toString('utf8'))).toEqual(claims);
    }
  });

  it('E11, H4: a changed signing input or a changed signature does not verify', () => {
    const { signKey, verifyKey } = keys(alg);
    const input = inputOf(alg);
    const signature = signJws(alg, signKey, input);
    expect(verifyJwsSignature(alg, verifyKey, input, signature)).toBe(true);
    expect(verifyJwsSignature(alg, verifyKey, `${input}A`, signature)).toBe(false);
    const flipped = Buffer.from(signature);
    flipped[flipped.length >> 1] ^= 0x01;
    expect(verifyJwsSignature(alg, verifyKey, input, flipped)).toBe(false);
  });

  it('E11, H4: a signature one octet short or long, or empty, is refused', () => {
    const { signKey, verifyKey } = keys(alg);
    const input = inputOf(alg);
    const signature = signJws(alg, signKey, input);
    for (const wrong of [signature.subarray(1), signature.subarray(0, -1), Buffer.concat([signature, Buffer.alloc(1)]), Buffer.concat([Buffer.alloc(1), signature]), Buffer.alloc(0)]) {
      expect(verifyJwsSignature(alg, verifyKey, input, wrong)).toBe(false);
    }
  });

  it('E11: no fallback: the signature under this alg is refused when verified as any other alg', () => {
    const { signKey } = keys(alg);
    const input = inputOf(alg);
    const signature = signJws(alg, signKey, input);
    for (const other of ALGORITHMS.filter((candidate) => KIND[candidate] === KIND[alg] && candidate !== alg)) {
      // A key bound to this alg, asked for another, and a key bound to the other alg: both false.
      expect(verifyJwsSignature(other, keys(alg).verifyKey, input, signature)).toBe(false);
      const sameDefinition = (alg === 'EdDSA' && other === 'Ed25519') || (alg === 'Ed25519' && other === 'EdDSA');
      expect(verifyJwsSignature(other, keys(other).verifyKey, input, signature)).toBe(sameDefinition);
    }
    expect(() => signJws(alg === 'ES256' ? 'ES384' : 'ES256', signKey, input)).toThrow(TypeError);
  });

  it('E9, H3: a key of the wrong type or curve for the alg is refused when it is bound, never tried', () => {
    for (const kind of Object.keys(pairs) as KeyKind[]) {
      if (kind === KIND[alg]) continue;
      expect(() => createJwsKey(alg, pairs[kind].publicKey)).toThrow(TypeError);
      expect(() => createJwsKey(alg, pairs[kind].privateKey)).toThrow(TypeError);
    }
  });
});

describe('ECDSA signatures are R || S only (RFC 7518 §3.4)', () => {
  it.each([
    ['ES256', 'sha256'],
    ['ES384', 'sha384'],
    ['ES512', 'sha512'],
  ] as const)('E11, H4: a DER-encoded %s signature over the right input is refused, not converted', (alg, digest) => {
    const { verifyKey } = keys(alg);
    const input = inputOf(alg);
    const der = sign(digest, Buffer.from(input), { key: pairs[KIND[alg]].privateKey, dsaEncoding: 'der' });
    expect(verifyJwsSignature(alg, verifyKey, input, der)).toBe(false);
    const p1363 = sign(digest, Buffer.from(input), { key: pairs[KIND[alg]].privateKey, dsaEncoding: 'ieee-p1363' });
    expect(verifyJwsSignature(alg, verifyKey, input, p1363)).toBe(true);
  });

  it('E11: a DER signature padded or cut to 64 octets is still refused', () => {
    const { verifyKey } = keys('ES256');
    const input = inputOf('ES256');
    const der = sign('sha256', Buffer.from(input), { key: pairs['P-256'].privateKey, dsaEncoding: 'der' });
    const fitted = Buffer.alloc(64);
    der.copy(fitted, 0, 0, 64);
    expect(verifyJwsSignature('ES256', verifyKey, input, fitted)).toBe(false);
  });
});

describe('RSASSA-PSS is RFC 7518 §3.5 exactly', () => {
  it.each([
    ['PS256', 'sha256', 32],
    ['PS384', 'sha384', 48],
    ['PS512', 'sha512', 64],
  ] as const)('E11: %s verifies with a salt of the hash size and MGF1 over the same hash, and with no other salt length', (alg, digest, saltLength) => {
    const { verifyKey } = keys(alg);
    const input = inputOf(alg);
    const pssWith = (salt: number): Buffer => sign(digest, Buffer.from(input), { key: pairs.RSA.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: salt });
    expect(verifyJwsSignature(alg, verifyKey, input, pssWith(saltLength))).toBe(true);
    for (const other of [0, 20, saltLength - 1, saltLength + 1, constants.RSA_PSS_SALTLEN_MAX_SIGN]) {
      expect(verifyJwsSignature(alg, verifyKey, input, pssWith(other))).toBe(false);
    }
  });

  it('E9: an RSA key under 2048 bits, or an RSA-PSS-only key, gets no key for the RSA algorithms', () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const pssOnly = generateKeyPairSync('rsa-pss', { modulusLength: 2048 });
    for (const alg of ['PS256', 'RS256'] as const) {
      expect(() => createJwsKey(alg, small.publicKey)).toThrow(TypeError);
      expect(() => createJwsKey(alg, pssOnly.publicKey)).toThrow(TypeError);
    }
  });
});

describe('RFC example vectors', () => {
  it('RFC 7515 Appendix A.3: the ES256 example JWS verifies with its key; one bit changed, it does not', () => {
    const key = createJwsKey('ES256', createPublicKey({ key: RFC7515_A3.jwk, format: 'jwk' }));
    expect(verifyJwsSignature('ES256', key, signingInputOf(RFC7515_A3.jws), signatureOf(RFC7515_A3.jws))).toBe(true);
    const flipped = signatureOf(RFC7515_A3.jws);
    flipped[0] ^= 0x80;
    expect(verifyJwsSignature('ES256', key, signingInputOf(RFC7515_A3.jws), flipped)).toBe(false);
    expect(verifyJwsSignature('ES384', key, signingInputOf(RFC7515_A3.jws), signatureOf(RFC7515_A3.jws))).toBe(false);
  });

  it('RFC 8037 Appendix A.4, A.5: the Ed25519 example JWS verifies, and signing reproduces it exactly', () => {
    const privateKey = createPrivateKey({ key: { ...RFC8037_A4.jwk, d: RFC8037_A4.d }, format: 'jwk' });
    const key = createJwsKey('EdDSA', createPublicKey({ key: RFC8037_A4.jwk, format: 'jwk' }));
    expect(verifyJwsSignature('EdDSA', key, signingInputOf(RFC8037_A4.jws), signatureOf(RFC8037_A4.jws))).toBe(true);
    expect(`${signingInputOf(RFC8037_A4.jws)}.${signJws('EdDSA', createJwsKey('EdDSA', privateKey), signingInputOf(RFC8037_A4.jws)).toString('base64url')}`).toBe(RFC8037_A4.jws);
    expect(verifyJwsSignature('EdDSA', key, `${signingInputOf(RFC8037_A4.jws)}A`, signatureOf(RFC8037_A4.jws))).toBe(false);
  });

  it('E11: RFC 9449 §4.1 and §7.1: both example proofs verify with the example jwk under ES256', () => {
    const key = createJwsKey('ES256', createPublicKey({ key: { ...RFC9449_JWK }, format: 'jwk' }));
    for (const proof of [RFC9449_TOKEN_REQUEST_PROOF, RFC9449_RESOURCE_REQUEST.proof]) {
      expect(verifyJwsSignature('ES256', key, signingInputOf(proof), signatureOf(proof))).toBe(true);
    }
  });
});

/** RFC 7515 Appendix A.3: the ECDSA P-256 SHA-256 example (A.3.1 key, public part; A.3.1 JWS). */
const RFC7515_A3 = Object.freeze({
  jwk: { kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0' },
  jws:
    'eyJhbGciOiJFUzI1NiJ9' +
    '.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ' +
    '.DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q',
});

/** RFC 8037 Appendix A.1 (key), A.4 (signing "Example of Ed25519 signing"), A.5 (validation). */
const RFC8037_A4 = Object.freeze({
  jwk: { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' },
  d: 'nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A',
  jws:
    'eyJhbGciOiJFZERTQSJ9' +
    '.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc' +
    '.hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg',
});
