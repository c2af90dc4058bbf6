import { createPublicKey, KeyObject, sign, verify } from 'node:crypto';
import { CompactSign, compactVerify, exportJWK, generateKeyPair, importJWK, type CryptoKey } from 'jose';

/**
 * The reference of `edge_vs_node_es256_verify`: node:crypto's one-shot ES256 `verify` (R || S,
 * `dsaEncoding: 'ieee-p1363'`) with a KeyObject made once, over the signing inputs and signatures
 * of distinct pre-signed DPoP proofs like those of bench/servers/es256-verify.ts, synchronous (no
 * thread pool), for `--duration-ms` after a warm-up. Nothing but the verify is timed: the bare cost
 * of the signature libs/binding checks per proof. Run pinned to the server core; prints one JSON
 * line `{ verifications, seconds, opsPerSecond }`.
 *
 * `--compare` measures instead, one after another in this process, jose compactVerify and
 * CompactSign (WebCrypto, 16 in flight) and the node:crypto one-shot verify and sign, and prints
 * `{ verify: { jose, node }, sign: { jose, node } }` in operations per second: the side-by-side
 * micro numbers of one run. It is a smoke check, not part of `npm run bench`.
 */
const PROOFS = 1_000;
const IN_FLIGHT = 16; // as bench/servers/es256-verify.ts, so WebCrypto's thread pool stays busy
const WARMUP_MS = 500; // milliseconds

interface Proof {
  readonly jws: string;
  readonly input: Buffer;
  readonly signature: Buffer;
}

async function main(argv: readonly string[]): Promise<void> {
  const durationMs = Number(argv[argv.indexOf('--duration-ms') + 1] ?? 5_000);
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(publicKey);
  const joseKey = (await importJWK(jwk, 'ES256')) as CryptoKey;
  // The edge's ProofKeyCache imports the jwk with jose once and keeps this KeyObject.
  const nodeKey = createPublicKey({ key: jwk, format: 'jwk' });
  const proofs = await presign(privateKey, jwk);

  const nodeVerify = (until: number): number => syncLoop(until, (i) => oneShotVerify(nodeKey, proofs[i % PROOFS] as Proof));
  if (!argv.includes('--compare')) {
    print(measure(durationMs, nodeVerify));
    return;
  }
  // jose's generateKeyPair gives WebCrypto keys; node:crypto signs with the same key as a KeyObject.
  const nodePrivateKey = KeyObject.from(privateKey);
  const inputs = proofs.map((proof) => proof.input);
  const results = {
    verify: {
      jose: await measureAsync(durationMs, (until) => asyncLoop(until, (i) => compactVerify((proofs[i % PROOFS] as Proof).jws, joseKey, { algorithms: ['ES256'] }))),
      node: measure(durationMs, nodeVerify),
    },
    sign: {
      jose: await measureAsync(durationMs, (until) =>
        asyncLoop(until, (i) => new CompactSign(inputs[i % PROOFS] as Buffer).setProtectedHeader({ alg: 'ES256' }).sign(privateKey)),
      ),
      node: measure(durationMs, (until) => syncLoop(until, (i) => sign('sha256', inputs[i % PROOFS] as Buffer, { key: nodePrivateKey, dsaEncoding: 'ieee-p1363' }))),
    },
  };
  process.stdout.write(`${JSON.stringify(results)}\n`);
}

function oneShotVerify(key: KeyObject, proof: Proof): void {
  if (!verify('sha256', proof.input, { key, dsaEncoding: 'ieee-p1363' }, proof.signature)) throw new Error('a pre-signed proof did not verify');
}

async function presign(privateKey: CryptoKey, jwk: object): Promise<Proof[]> {
  const header = { typ: 'dpop+jwt', alg: 'ES256', jwk };
  const proofs: Proof[] = [];
  for (let i = 0; i < PROOFS; i++) {
    const claims = { jti: `verify-${i}`, htm: 'GET', htu: 'http://127.0.0.1/v1/me', iat: Math.floor(Date.now() / 1000), ath: 'x'.repeat(43) };
    const jws = await new CompactSign(new TextEncoder().encode(JSON.stringify(claims))).setProtectedHeader(header).sign(privateKey);
    const dot = jws.lastIndexOf('.');
    proofs.push({ jws, input: Buffer.from(jws.slice(0, dot)), signature: Buffer.from(jws.slice(dot + 1), 'base64url') });
  }
  return proofs;
}

function syncLoop(until: number, operation: (index: number) => void): number {
  let count = 0;
  // Date.now() every 64 operations: a clock read per verify would be part of what is measured.
  while (count % 64 !== 0 || Date.now() < until) operation(count++);
  return count;
}

async function asyncLoop(until: number, operation: (index: number) => Promise<unknown>): Promise<number> {
  let count = 0;
  const worker = async (): Promise<void> => {
    while (Date.now() < until) {
      await operation(count++);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return count;
}

interface LoopResult {
  readonly verifications: number;
  readonly seconds: number;
  readonly opsPerSecond: number;
}

function measure(durationMs: number, loop: (until: number) => number): LoopResult {
  loop(Date.now() + WARMUP_MS);
  const started = performance.now();
  const count = loop(Date.now() + durationMs);
  return result(count, started);
}

async function measureAsync(durationMs: number, loop: (until: number) => Promise<number>): Promise<LoopResult> {
  await loop(Date.now() + WARMUP_MS);
  const started = performance.now();
  const count = await loop(Date.now() + durationMs);
  return result(count, started);
}

function result(count: number, started: number): LoopResult {
  const seconds = (performance.now() - started) / 1000;
  return { verifications: count, seconds, opsPerSecond: Math.round(count / seconds) };
}

function print(value: LoopResult): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
