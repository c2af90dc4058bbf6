import { startAutocannon, type LoadResult } from './load-generator.js';
import type { PreparedRequest } from './order-requests.js';

/**
 * Orders every order-flow estate serves before anything of it is measured. V8 compiles the order
 * path (and with telemetry on, the SDK's) over the first few thousand orders: from a cold start on
 * the bench machine, in rounds of 1 000 orders, CPU per order across the processes was 5.3, 3.8,
 * 2.8 ms, then about 2.6 ms from the fourth thousand on; with tracing and metrics on 6.4, 4.6, 3.5,
 * then about 3.3 ms. A shorter warm-up (it was 500 to 1 000 orders) measures the JIT as well.
 */
export const ORDER_FLOW_WARMUP_ORDERS = { quick: 1_500, full: 5_000 } as const;

/**
 * Closed-loop load of prepared requests with any method and body (load-generator.ts sends GET
 * only): autocannon in this process, `connections` connections with one request in flight on
 * each, `amount` requests in all, each request the next one of `requests`, used once. Run and
 * timed as load-generator.ts runs its GET load (`startAutocannon`).
 */
export interface ClosedLoopOptions {
  readonly origin: string;
  readonly connections: number;
  readonly amount: number;
  readonly requests: readonly PreparedRequest[];
}

export function runClosedLoop(options: ClosedLoopOptions): Promise<LoadResult> {
  const { requests, amount, connections } = options;
  // autocannon may build one request more per connection than it sends: never reuse a proof.
  if (amount + connections > requests.length) throw new Error(`closed loop: ${amount} requests over ${connections} connections need ${amount + connections} prepared, have ${requests.length}`);
  let next = 0;
  return startAutocannon({
    url: `${options.origin}${requests[0]!.path}`,
    connections,
    amount,
    requests: [
      {
        setupRequest: (request) => {
          const prepared = requests[Math.min(next++, requests.length - 1)] as PreparedRequest;
          return { ...request, method: prepared.method, path: prepared.path, headers: { ...prepared.headers }, ...(prepared.body === undefined ? {} : { body: prepared.body }) };
        },
      },
    ],
  }).result;
}
