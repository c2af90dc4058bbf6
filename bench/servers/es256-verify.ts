import { CompactSign, compactVerify, exportJWK, generateKeyPair, importJWK, type CryptoKey } from 'jose';

/**
 * The cost of one ES256 verification on one core, the unit the edge's throughput is compared with:
 * jose's compactVerify (what the edge runs per DPoP proof) over distinct pre-signed proofs with a
 * pre-imported key, `CONCURRENCY` in flight so WebCrypto's thread pool stays busy, for
 * `--duration-ms` after a warm-up. Run pinned to the server core; prints one JSON line.
 */
const CONCURRENCY = 16;
const PROOFS = 1_000;
const WARMUP_MS = 500; // milliseconds

async function main(): Promise<void> {
  const durationMs = Number(process.argv[process.argv.indexOf('--duration-ms') + 1] ?? 5_000);
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk = await exportJWK(publicKey);
  const key = (await importJWK(jwk, 'ES256')) as CryptoKey;
  const header = { typ: 'dpop+jwt', alg: 'ES256', jwk };
  const proofs: string[] = [];
  for (let i = 0; i < PROOFS; i++) {
    const claims = { jti: `verify-${i}`, htm: 'GET', htu: 'http://127.0.0.1/v1/me', iat: Math.floor(Date.now() / 1000), ath: 'x'.repeat(43) };
    proofs.push(await new CompactSign(new TextEncoder().encode(JSON.stringify(claims))).setProtectedHeader(header).sign(privateKey));
  }
  const loop = async (until: number): Promise<number> => {
    let count = 0;
    let index = 0;
    const worker = async (): Promise<void> => {
      while (Date.now() < until) {
        await compactVerify(proofs[index++ % PROOFS] as string, key, { algorithms: ['ES256'] });
        count++;
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    return count;
  };
  await loop(Date.now() + WARMUP_MS);
  const started = performance.now();
  const count = await loop(Date.now() + durationMs);
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(`${JSON.stringify({ verifications: count, seconds, opsPerSecond: count / seconds })}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
