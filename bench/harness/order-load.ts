import autocannon from 'autocannon';
import type { LoadResult } from './load-generator.js';
import type { PreparedRequest } from './order-requests.js';

/**
 * Closed-loop load of prepared requests with any method and body (load-generator.ts sends GET
 * only): autocannon in this process, `connections` connections with one request in flight on
 * each, `amount` requests in all, each request the next one of `requests`, used once. Timed from
 * start to the last response, as load-generator.ts does and for the same reason (autocannon
 * reports whole one-second ticks).
 */
export interface ClosedLoopOptions {
  readonly origin: string;
  readonly connections: number;
  readonly amount: number;
  readonly requests: readonly PreparedRequest[];
}

const TIMEOUT_S = 10; // seconds without a response before autocannon counts a timeout

export function runClosedLoop(options: ClosedLoopOptions): Promise<LoadResult> {
  const { requests, amount, connections } = options;
  // autocannon may build one request more per connection than it sends: never reuse a proof.
  if (amount + connections > requests.length) throw new Error(`closed loop: ${amount} requests over ${connections} connections need ${amount + connections} prepared, have ${requests.length}`);
  let next = 0;
  const started = performance.now();
  let lastResponse = started;
  return new Promise<LoadResult>((resolve, reject) => {
    const instance = autocannon(
      {
        url: `${options.origin}${requests[0]!.path}`,
        connections,
        pipelining: 1,
        timeout: TIMEOUT_S,
        amount,
        requests: [
          {
            setupRequest: (request) => {
              const prepared = requests[Math.min(next++, requests.length - 1)] as PreparedRequest;
              return { ...request, method: prepared.method, path: prepared.path, headers: { ...prepared.headers }, ...(prepared.body === undefined ? {} : { body: prepared.body }) };
            },
          },
        ],
      },
      (error: unknown, outcome: autocannon.Result) => (error ? reject(error) : resolve(summarize(outcome, (lastResponse - started) / 1000))),
    );
    instance.on('response', () => {
      lastResponse = performance.now();
    });
  });
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
