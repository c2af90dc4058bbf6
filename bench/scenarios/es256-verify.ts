import { distPath, round, type BenchContext } from '../harness/bench-context.js';
import { SERVER_CORE, spawnPinned } from '../harness/cpu-pinning.js';

export interface VerifyMeasurement {
  readonly opsPerSecond: number;
  readonly verifications: number;
  readonly seconds: number;
  readonly how: string;
}

/**
 * jose's ES256 verify and, beside it, node:crypto's one-shot verify on a cached KeyObject: the
 * reference libs/binding's per-request signatures run on, measured on the same core in the same
 * run. `opsPerSecond` stays jose's (the unit of `edge_vs_es256_verify`).
 */
export interface Es256VerifyMeasurement extends VerifyMeasurement {
  /** node:crypto one-shot ES256 verifies per second on the server core (`edge_vs_node_es256_verify`). */
  readonly node_es256_verify_per_s: number;
  readonly node_one_shot: VerifyMeasurement;
}

/**
 * One ES256 verification's cost on the server core: jose (bench/servers/es256-verify.ts), then the
 * node:crypto one-shot (bench/harness/es256-one-shot-loop.ts), each pinned there, one after the other.
 */
export async function measureEs256Verify(context: BenchContext): Promise<Es256VerifyMeasurement> {
  const jose = await runVerifyLoop(context, 'bench/servers/es256-verify.js', 'jose compactVerify of distinct DPoP proofs with a pre-imported P-256 key, 16 in flight, one core');
  const node = await runVerifyLoop(
    context,
    'bench/harness/es256-one-shot-loop.js',
    "node:crypto one-shot verify (ieee-p1363) of distinct DPoP proofs' signing inputs with a cached P-256 KeyObject, synchronous, one core",
  );
  return { ...jose, node_es256_verify_per_s: node.opsPerSecond, node_one_shot: node };
}

/** The edge's DPoP verifier without HTTP: bench/servers/dpop-verifier-loop.ts, pinned there. */
export function measureDpopVerifier(context: BenchContext): Promise<VerifyMeasurement> {
  return runVerifyLoop(context, 'bench/servers/dpop-verifier-loop.js', 'libs/binding createDpopVerifier as the edge builds it (token cache, in-memory replay store), distinct proofs, 32 in flight, one core, no HTTP');
}

async function runVerifyLoop(context: BenchContext, script: string, how: string): Promise<VerifyMeasurement> {
  const child = spawnPinned(context.pinning, SERVER_CORE, process.execPath, [distPath(script), '--duration-ms', String(context.settings.verifyLoopMs)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`${script} exited with ${code}: ${output}`);
  const result = JSON.parse(output.trim().split('\n').pop() as string) as { verifications: number; seconds: number; opsPerSecond: number };
  return {
    opsPerSecond: round(result.opsPerSecond),
    verifications: result.verifications,
    seconds: round(result.seconds, 2),
    how,
  };
}
