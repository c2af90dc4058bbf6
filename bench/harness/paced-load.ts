import { Agent, request as httpRequest } from 'node:http';
import { round } from './bench-context.js';
import type { PreparedRequest } from './order-requests.js';

/**
 * Open-loop load at a fixed rate: request i is due at start + i / rate, and is sent when due
 * whether or not earlier ones were answered, so a slow server meets the same arrivals a fast
 * one does and its queueing shows in the latency. autocannon's `overallRate` is not that: each
 * connection sends its per-second quota back to back at the top of every second and then waits,
 * so it measures bursts at full speed, and its coordinated-omission correction assumes a 1 ms
 * interval (`Math.ceil(1 / rate)`). Hence this small generator on node:http.
 *
 * Latency is from handing the request to its socket to the end of its response. The agent opens
 * as many keep-alive connections as requests are outstanding (none wait for a free socket), so
 * the only way to be late is the scheduler's own lag, which is reported (`schedulerLagMs`).
 */
export interface PacedOptions {
  readonly origin: string;
  /** Requests per second. */
  readonly rate: number;
  readonly seconds: number;
  /** The i-th request, made when it is due (signed then, or taken from a pool). */
  next(index: number): PreparedRequest;
  /** What a request counts under, e.g. "POST /v1/orders". Default: method and path. */
  routeOf?(request: PreparedRequest): string;
  /** Each answer, with its body, e.g. to remember an order's id. */
  onResponse?(request: PreparedRequest, status: number, body: string): void;
}

export interface Percentiles {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export interface RouteResult {
  readonly statuses: Readonly<Record<string, number>>;
  readonly latencyMs: Percentiles;
}

export interface PacedResult {
  readonly rate: number;
  readonly sent: number;
  /** Responses of any status. */
  readonly completed: number;
  readonly ok: number;
  readonly non2xx: number;
  /** Connection errors and timeouts: no status at all. */
  readonly errors: number;
  readonly firstError: string | undefined;
  readonly statuses: Readonly<Record<string, number>>;
  readonly seconds: number;
  /** Responses per second over the run. */
  readonly achievedRate: number;
  readonly latencyMs: Percentiles & { readonly mean: number };
  readonly byRoute: Readonly<Record<string, RouteResult>>;
  /** How late the scheduler sent requests (its own lag, not the server's). */
  readonly schedulerLagMs: Percentiles;
  readonly loadGeneratorCpu: number;
}

const REQUEST_TIMEOUT_MS = 10_000; // milliseconds: as the closed loop's timeout, a stall is an error

export function percentiles(values: number[]): Percentiles {
  if (values.length === 0) return { p50: 0, p99: 0, max: 0 };
  const sorted = Float64Array.from(values).sort();
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
  return { p50: round(at(0.5), 2), p99: round(at(0.99), 2), max: round(sorted[sorted.length - 1] as number, 2) };
}

export function runPaced(options: PacedOptions): Promise<PacedResult> {
  const { origin, rate } = options;
  const url = new URL(origin);
  const total = Math.max(1, Math.round(rate * options.seconds));
  const intervalMs = 1000 / rate;
  const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
  const routeOf = options.routeOf ?? ((request: PreparedRequest) => `${request.method} ${request.path}`);
  const latencies: number[] = [];
  const lags: number[] = [];
  const routes = new Map<string, { statuses: Record<string, number>; latencies: number[] }>();
  const statuses: Record<string, number> = {};
  let sent = 0;
  let finished = 0;
  let errors = 0;
  let firstError: string | undefined;
  let lastResponse = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();

  return new Promise<PacedResult>((resolve) => {
    const settle = (): void => {
      if (sent < total || finished < sent) return;
      agent.destroy();
      const seconds = ((lastResponse > 0 ? lastResponse : performance.now()) - started) / 1000;
      const cpu = process.cpuUsage(cpuBefore);
      const completed = latencies.length;
      const ok = Object.entries(statuses).reduce((sum, [status, count]) => sum + (status.startsWith('2') ? count : 0), 0);
      const byRoute: Record<string, RouteResult> = {};
      for (const [route, entry] of routes) byRoute[route] = { statuses: entry.statuses, latencyMs: percentiles(entry.latencies) };
      resolve({
        rate,
        sent,
        completed,
        ok,
        non2xx: completed - ok,
        errors,
        firstError,
        statuses,
        seconds: round(seconds, 2),
        achievedRate: round(seconds > 0 ? completed / seconds : 0),
        latencyMs: { mean: round(latencies.reduce((sum, value) => sum + value, 0) / Math.max(1, completed), 2), ...percentiles(latencies) },
        byRoute,
        schedulerLagMs: percentiles(lags),
        loadGeneratorCpu: round((cpu.user + cpu.system) / 1e6 / Math.max(seconds, 1e-3), 2),
      });
    };

    const send = (index: number): void => {
      const prepared = options.next(index);
      const route = routeOf(prepared);
      const entry = routes.get(route) ?? { statuses: {}, latencies: [] };
      routes.set(route, entry);
      const body = prepared.body === undefined ? undefined : Buffer.from(prepared.body);
      const headers = body === undefined ? prepared.headers : { ...prepared.headers, 'content-length': String(body.length) };
      const sentAt = performance.now();
      let done = false;
      const finish = (status: number | undefined, text: string, error?: unknown): void => {
        if (done) return;
        done = true;
        finished++;
        if (status === undefined) {
          errors++;
          firstError ??= error instanceof Error ? `${error.name}: ${error.message}` : 'no response';
        } else {
          lastResponse = performance.now();
          const latency = lastResponse - sentAt;
          latencies.push(latency);
          entry.latencies.push(latency);
          statuses[status] = (statuses[status] ?? 0) + 1;
          entry.statuses[status] = (entry.statuses[status] ?? 0) + 1;
          options.onResponse?.(prepared, status, text);
        }
        settle();
      };
      const request = httpRequest({ agent, host: url.hostname, port: url.port, method: prepared.method, path: prepared.path, headers }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => finish(response.statusCode ?? 0, Buffer.concat(chunks).toString('utf8')));
        response.on('error', (error) => finish(undefined, '', error));
      });
      request.setTimeout(REQUEST_TIMEOUT_MS, () => request.destroy(new Error(`no response within ${REQUEST_TIMEOUT_MS} ms`)));
      request.on('error', (error) => finish(undefined, '', error));
      request.end(body);
    };

    // Sends every request now due, then sleeps until the next one is: no busy loop on the load core.
    const tick = (): void => {
      const now = performance.now();
      const due = Math.min(total, Math.floor((now - started) / intervalMs) + 1);
      while (sent < due) {
        lags.push(now - (started + sent * intervalMs));
        send(sent++);
      }
      if (sent < total) setTimeout(tick, Math.max(0, started + sent * intervalMs - performance.now()));
      else settle();
    };
    tick();
  });
}
