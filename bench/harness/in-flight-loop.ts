import { round } from './bench-context.js';

export interface InFlightResult {
  /** Completed without error. */
  readonly requests: number;
  readonly errors: number;
  /** What the first error said (its `code`/`type` or message), never token material. */
  readonly firstError: string | undefined;
  readonly seconds: number;
  readonly requestsPerSecond: number;
  readonly latencyMs: { readonly mean: number; readonly p50: number; readonly p99: number };
  /** CPU seconds of this process (the load core) over wall seconds: near 1 means load-bound. */
  readonly loadGeneratorCpu: number;
}

/** A latency sample per request: at most this many are kept (the run stops counting, not running). */
const MAX_SAMPLES = 2_000_000;

/**
 * Closed loop over NATS request/reply: `inFlight` workers, each sending its next request once the
 * previous one is answered, until `seconds` have passed; timed from start to the last reply.
 * Latency is each request's own (from before the call, so a hop's proof signing is included, to
 * its reply), percentiles over every completed request.
 */
export async function runInFlight(inFlight: number, seconds: number, request: () => Promise<unknown>): Promise<InFlightResult> {
  const latencies = new Float64Array(MAX_SAMPLES);
  let completed = 0;
  let errors = 0;
  let firstError: string | undefined;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const before = performance.now();
      try {
        await request();
        if (completed < MAX_SAMPLES) latencies[completed] = performance.now() - before;
        completed++;
      } catch (error) {
        errors++;
        firstError ??= describe(error);
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const elapsed = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const sorted = latencies.subarray(0, Math.min(completed, MAX_SAMPLES)).sort();
  const at = (q: number): number => (sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number));
  const mean = sorted.length === 0 ? 0 : sorted.reduce((sum, value) => sum + value, 0) / sorted.length;
  return {
    requests: completed,
    errors,
    firstError,
    seconds: round(elapsed, 2),
    requestsPerSecond: round(completed / elapsed),
    latencyMs: { mean: round(mean, 2), p50: round(at(0.5), 2), p99: round(at(0.99), 2) },
    loadGeneratorCpu: round((cpu.user + cpu.system) / 1e6 / elapsed, 2),
  };
}

/** An error reply's `code`/`type`, or an Error's name and message: nothing a token could be in. */
export function describe(error: unknown): string {
  if (typeof error === 'object' && error !== null && !(error instanceof Error)) {
    const { code, type } = error as { code?: unknown; type?: unknown };
    if (typeof code === 'string') return typeof type === 'string' ? `${code}/${type}` : code;
  }
  if (error instanceof Error) {
    const { code, type } = error as Error & { code?: unknown; type?: unknown };
    return typeof code === 'string' ? `${error.name} ${code}${typeof type === 'string' ? `/${type}` : ''}` : `${error.name}: ${error.message}`;
  }
  return typeof error;
}
