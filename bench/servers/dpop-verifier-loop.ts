import { createAccessTokenVerifier, createDpopVerifier, createRemoteKeySet, MemoryReplayStore, type DpopRequest } from '#binding';
import { TestIssuer } from '../../libs/binding/test-support/test-issuer.js';
import { createBenchClients, validRequests } from '../harness/proof-pool.js';

/**
 * The edge's DPoP verifier alone, without HTTP or Nest: libs/binding createDpopVerifier as the edge
 * builds it (remote JWKS, token cache, in-memory replay store), fed distinct pre-signed proofs,
 * `IN_FLIGHT` at a time, for `--duration-ms`. Run pinned to the server core; it splits the edge's
 * cost into the library's and the HTTP layer's. Prints one JSON line.
 */
const IN_FLIGHT = 32;
const ORIGIN = 'http://127.0.0.1:3000';
const ESTIMATE_PER_SECOND = 30_000; // more proofs than this core can verify per second (~12k measured)

async function main(): Promise<void> {
  const durationMs = Number(process.argv[process.argv.indexOf('--duration-ms') + 1] ?? 5_000);
  const audience = 'https://bench.estate.test';
  const issuer = await new TestIssuer(audience).start();
  const clients = await createBenchClients(issuer, 16);
  const verifier = createDpopVerifier({
    tokenVerifier: createAccessTokenVerifier({ issuer: issuer.issuer, audience, keys: createRemoteKeySet(`${issuer.issuer}/jwks`, { allowHttp: true }) }),
    replayStore: new MemoryReplayStore({ maxEntries: 10_000_000, maxEntriesPerScope: 10_000_000, sweepIntervalMs: 0 }),
    origins: [ORIGIN],
  });
  const requests: DpopRequest[] = validRequests(clients, `${ORIGIN}/v1/me`, Math.ceil((ESTIMATE_PER_SECOND * (durationMs + 1_000)) / 1000)).map(
    (headers) => ({ method: 'GET', target: '/v1/me', host: ['127.0.0.1:3000'], authorization: [headers.authorization], dpop: [headers.dpop] }),
  );
  let next = 0;
  const loop = async (until: number): Promise<number> => {
    let count = 0;
    const worker = async (): Promise<void> => {
      while (Date.now() < until && next < requests.length) {
        await verifier.verify(requests[next++] as DpopRequest);
        count++;
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    return count;
  };
  await loop(Date.now() + 1_000);
  const started = performance.now();
  const count = await loop(Date.now() + durationMs);
  const seconds = (performance.now() - started) / 1000;
  await issuer.stop();
  if (next >= requests.length) throw new Error('ran out of proofs: raise ESTIMATE_PER_SECOND');
  process.stdout.write(`${JSON.stringify({ verifications: count, seconds, opsPerSecond: count / seconds })}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
