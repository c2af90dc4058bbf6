import autocannon from 'autocannon';
import type { RequestHeaders } from './proof-pool.js';

/**
 * The load generator: autocannon, in this process (pinned to the load core), closed loop with a
 * fixed number of connections and one request in flight on each (no pipelining: the edge is an
 * API, its clients do not pipeline). Chosen over a loop on undici because it is the Fastify team's
 * maintained tool, keeps HDR latency histograms, and its per-request `setupRequest` hook lets each
 * request take the next pre-made proof from an array, so nothing is signed during a run.
 */
export interface LoadOptions {
  readonly origin: string;
  readonly path: string;
  readonly connections: number;
  /** Requests to complete; the run ends then. Without it, `durationSeconds`. */
  readonly amount?: number;
  readonly durationSeconds?: number;
  /** Header sets, taken in order; each is used once unless `cycle` (for targets that check nothing). */
  readonly requests: readonly RequestHeaders[];
  readonly cycle?: boolean;
}

export interface LoadResult {
  /** Responses received. */
  readonly completed: number;
  readonly ok: number;
  readonly non2xx: number;
  /** Status code counts, e.g. { "200": 9000, "401": 3 }. */
  readonly statuses: Readonly<Record<string, number>>;
  readonly errors: number;
  readonly timeouts: number;
  readonly seconds: number;
  /** 2xx responses per second. */
  readonly okPerSecond: number;
  /** Responses of any status per second. */
  readonly completedPerSecond: number;
  readonly latencyMs: { readonly mean: number; readonly p50: number; readonly p99: number };
}

export interface RunningLoad {
  readonly result: Promise<LoadResult>;
  /** Ends a duration-less run early (used to end a concurrent burst with the run it disturbs). */
  stop(): void;
}

const TIMEOUT_S = 10; // seconds without a response before autocannon counts a timeout
/**
 * Seconds without any response, on any connection, after which a run is stopped and fails: a
 * server that stopped answering would otherwise hold an `amount` run (and a burst ended with it)
 * open for ever, as one full bench once did.
 */
const STALL_S = 3 * TIMEOUT_S;

export function startLoad(options: LoadOptions): RunningLoad {
  const { requests } = options;
  if (requests.length === 0) throw new Error('load: no requests to send');
  if (options.amount !== undefined && !options.cycle && options.amount + options.connections > requests.length) {
    throw new Error(`load: ${options.amount} requests over ${options.connections} connections need ${options.amount + options.connections} unique proofs, have ${requests.length}`);
  }
  let next = 0;
  const take = (): RequestHeaders => {
    const index = next++;
    // Never reached for a unique pool (checked above); a reused proof would show as a 401 anyway.
    return requests[options.cycle ? index % requests.length : Math.min(index, requests.length - 1)] as RequestHeaders;
  };
  return startAutocannon({
    url: `${options.origin}${options.path}`,
    connections: options.connections,
    ...(options.amount !== undefined ? { amount: options.amount } : { duration: options.durationSeconds ?? 10 }),
    requests: [
      {
        method: 'GET',
        path: options.path,
        setupRequest: (request) => {
          const headers = take();
          return { ...request, headers: { authorization: headers.authorization, dpop: headers.dpop } };
        },
      },
    ],
  });
}

/**
 * Runs autocannon closed loop (one request in flight per connection) and summarizes what it
 * measured; the other load shapes (order-load.ts) share it. autocannon notices the end of an
 * `amount` run on its one-second tick and reports whole ticks: the run is timed from its start to
 * its last response instead. A run that hears no response for `stallSeconds` is stopped and
 * rejects, naming how far it got.
 */
export function startAutocannon(options: autocannon.Options, { stallSeconds = STALL_S }: { readonly stallSeconds?: number } = {}): RunningLoad {
  let instance: autocannon.Instance | undefined;
  const started = performance.now();
  let lastResponse = started;
  let responses = 0;
  let stalled = false;
  const result = new Promise<LoadResult>((resolve, reject) => {
    const watchdog = setInterval(() => {
      if (performance.now() - lastResponse < stallSeconds * 1000) return;
      stalled = true;
      instance?.stop();
    }, Math.min(1_000, stallSeconds * 250));
    watchdog.unref();
    instance = autocannon({ pipelining: 1, timeout: TIMEOUT_S, ...options }, (error: unknown, outcome: autocannon.Result) => {
      clearInterval(watchdog);
      if (stalled) reject(new Error(`load on ${String(options.url)}: no response for ${stallSeconds} s after ${responses} responses; stopped`));
      else if (error) reject(error);
      else resolve(summarize(outcome, (lastResponse - started) / 1000));
    });
    instance.on('response', () => {
      lastResponse = performance.now();
      responses++;
    });
  });
  return { result, stop: () => instance?.stop() };
}

export function runLoad(options: LoadOptions): Promise<LoadResult> {
  return startLoad(options).result;
}

function summarize(outcome: autocannon.Result, seconds: number): LoadResult {
  const statuses: Record<string, number> = {};
  for (const [status, { count }] of Object.entries(outcome.statusCodeStats ?? {})) statuses[status] = count ?? 0;
  const ok = outcome['2xx'];
  const completed = Object.values(statuses).reduce((sum, count) => sum + count, 0);
  return {
    completed,
    ok,
    non2xx: outcome.non2xx,
    statuses,
    errors: outcome.errors,
    timeouts: outcome.timeouts,
    seconds,
    okPerSecond: seconds > 0 ? ok / seconds : 0,
    completedPerSecond: seconds > 0 ? completed / seconds : 0,
    latencyMs: { mean: outcome.latency.mean, p50: outcome.latency.p50, p99: outcome.latency.p99 },
  };
}
