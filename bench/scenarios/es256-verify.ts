import { distPath, round, type BenchContext } from '../harness/bench-context.js';
import { SERVER_CORE, spawnPinned } from '../harness/cpu-pinning.js';

export interface VerifyMeasurement {
  readonly opsPerSecond: number;
  readonly verifications: number;
  readonly seconds: number;
  readonly how: string;
}

/** One ES256 verification's cost on the server core: bench/servers/es256-verify.ts, pinned there. */
export function measureEs256Verify(context: BenchContext): Promise<VerifyMeasurement> {
  return runVerifyLoop(context, 'bench/servers/es256-verify.js', 'jose compactVerify of distinct DPoP proofs with a pre-imported P-256 key, 16 in flight, one core');
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
