import { cpuSecondsOf, round, type BenchContext } from '../harness/bench-context.js';
import type { LoadResult } from '../harness/load-generator.js';
import { ORDER_FLOW_WARMUP_ORDERS, runClosedLoop } from '../harness/order-load.js';
import { OrderEstate, type EstateProcess } from '../harness/order-estate.js';
import { orderRequests, SkuPlan } from '../harness/order-requests.js';
import { runPaced, type Percentiles } from '../harness/paced-load.js';
import { checkOrderRoute } from './order-route-checks.js';

/**
 * `order_flow` (issue 6): the edge's order route end to end, as built processes: DPoP at the
 * edge, exchange at the STS, hop to orders, exchange and hop to inventory, stock and order
 * written to JetStream KV. main.ts writes the slot into `hop.order_flow` / `hop.order_flow_reason`;
 * results-report.ts prints `requestsPerSecond` and `latencyMs` (the closed-loop run).
 */
export interface OrderFlowMeasurement {
  readonly requestsPerSecond: number;
  readonly latencyMs: { readonly p50: number; readonly p99: number };
  readonly [figure: string]: unknown;
}

export interface OrderFlowSlot {
  readonly measurement: OrderFlowMeasurement | null;
  /** Why it is null; null when measured. */
  readonly reason: string | null;
}

/** One open-loop run at a fixed share of the closed-loop throughput. */
export interface FixedRateRun {
  readonly share: number;
  readonly targetRate: number;
  readonly seconds: number;
  readonly achievedRate: number;
  readonly latencyMs: Percentiles & { readonly mean: number };
  readonly requests: number;
  readonly statuses: Readonly<Record<string, number>>;
  readonly errors: number;
  readonly clean: boolean;
  /** How late the generator itself sent requests: a large p99 here makes the rate approximate. */
  readonly schedulerLagP99Ms: number;
  readonly serverCpu: number | undefined;
}

/** Fixed rates, as shares of the closed-loop throughput (issue 6: "p50/p99 at fixed rates"). */
export const FIXED_RATE_SHARES = [0.25, 0.5, 0.75] as const;
/**
 * Warm-up orders (JIT, exchange caches, STS keys, KV buckets): the first until the order path is
 * compiled (ORDER_FLOW_WARMUP_ORDERS), the second one's rate sizes the run.
 */
const WARMUP_ORDERS = { quick: [ORDER_FLOW_WARMUP_ORDERS.quick, 250], full: [ORDER_FLOW_WARMUP_ORDERS.full, 700] } as const;
const MIN_RATE = 20; // requests per second: a floor for sizing runs if the warm-up is very slow

/**
 * Steps:
 * 1. the estate (OrderEstate: fabric, sts, inventory, orders, edge; servers on the server core);
 * 2. checks (order-route-checks.ts): a tampered proof refused, a valid order 201 "reserved" and
 *    readable, else the bench stops; whether a replayed proof is refused is recorded;
 * 3. two closed-loop warm-ups, then the closed-loop throughput run (`connections` connections,
 *    about `runSeconds` long, proofs pre-signed, each used once);
 * 4. open-loop runs at FIXED_RATE_SHARES of that throughput, each `runSeconds` long (paced-load.ts);
 * 5. side by side, a second estate whose sts, orders and inventory claim hop-proof jtis in memory
 *    (HOP_REPLAY_STORE=memory) instead of their shared JetStream buckets (the default, H6), the
 *    same warm-ups and closed loop: `shared_vs_memory_hop_replay` is what sharing costs. Both
 *    closed loops record each process's CPU per order.
 * Any non-2xx answer is counted and marks its run not clean; it does not stop the bench. A full run
 * sends some 20 000 orders within a minute: 20 000 hop claims per sender, far under the 100 000
 * orders and inventory allow (libs/estate DEFAULT_HOP_REPLAY_MAX_PER_SENDER); were that lowered,
 * its 503s would show here as non-2xx.
 */
export async function measureOrderFlow(context: BenchContext): Promise<OrderFlowSlot> {
  const { settings, clients } = context;
  context.log('order flow: edge -> sts -> orders -> sts -> inventory, built processes on the fabric');
  const estate = await OrderEstate.start({ pinning: context.pinning, issuer: context.issuer, audience: context.audience });
  try {
    const skus = new SkuPlan();
    const checks = await checkOrderRoute(estate.origin, clients, skus);
    context.log(`  order route: tampered proof refused (${checks.tamperedRefused}), valid order 201 reserved (${checks.validReserved}), read back (${checks.readBack}); replay ${checks.replayRefused ? 'refused' : 'ACCEPTED'}`);

    const main = await closedLoopRun(context, estate, skus);
    const { load, clean } = main;
    context.log(`  closed loop: ${round(load.okPerSecond)} orders/s, p50 ${load.latencyMs.p50} ms, p99 ${load.latencyMs.p99} ms${clean ? '' : ` (NOT all 2xx: ${JSON.stringify(load.statuses)}, ${load.errors} errors)`}`);

    const fixedRates: FixedRateRun[] = [];
    for (const fraction of FIXED_RATE_SHARES) {
      const run = await fixedRate(context, estate, skus, fraction, Math.max(1, Math.round(fraction * load.okPerSecond)));
      fixedRates.push(run);
      context.log(`  ${run.targetRate} orders/s (${fraction * 100} %): p50 ${run.latencyMs.p50} ms, p99 ${run.latencyMs.p99} ms${run.clean ? '' : ` (NOT all 2xx: ${JSON.stringify(run.statuses)}, ${run.errors} errors)`}`);
    }

    await estate.stop();
    const memoryHopReplay = await measureWithMemoryHopReplay(context);
    context.log(`  same closed loop, hop replay stores in memory: ${memoryHopReplay.requestsPerSecond} orders/s, p50 ${memoryHopReplay.latencyMs.p50} ms (shared/memory ${round(load.okPerSecond / Math.max(memoryHopReplay.requestsPerSecond, 1), 2)})`);

    const measurement: OrderFlowMeasurement = {
      description: 'POST /v1/orders on the built estate: edge (Fastify, DPoP, in-memory replay store) -> STS exchange -> orders -> STS exchange -> inventory, stock and order in JetStream KV (file storage), every hop mTLS NATS, hop-proof and caller-proof jtis claimed in each receiver\'s shared JetStream bucket (HOP_REPLAY_STORE default); all servers on the server core',
      requestsPerSecond: round(load.okPerSecond),
      latencyMs: { p50: load.latencyMs.p50, p99: load.latencyMs.p99 },
      meanLatencyMs: round(load.latencyMs.mean, 2),
      requests: load.completed,
      seconds: round(load.seconds, 2),
      connections: settings.connections,
      statuses: load.statuses,
      errors: load.errors,
      clean,
      serverCpu: main.serverCpu,
      cpuMsPerOrder: main.cpuMsPerOrder,
      loadGeneratorCpu: main.loadGeneratorCpu,
      fixedRates,
      memoryHopReplay,
      shared_vs_memory_hop_replay: memoryHopReplay.requestsPerSecond > 0 ? round(load.okPerSecond / memoryHopReplay.requestsPerSecond, 2) : null,
      checks,
      proofs: 'every request its own DPoP proof (unique jti, ath of its token), pre-signed in the load process before each run; quantity 1, SKUs round-robin so stock never runs out',
      fixedRateMethod: 'open loop (bench/harness/paced-load.ts): request i sent at start + i/rate whether or not earlier ones were answered; latency from send to response end',
    };
    return { measurement, reason: null };
  } catch (error) {
    context.log(`  order flow failed; the estate's output:\n${estate.logs()}`);
    throw error;
  } finally {
    await estate.stop();
  }
}

export async function fixedRate(context: BenchContext, estate: OrderEstate, skus: SkuPlan, fraction: number, rate: number): Promise<FixedRateRun> {
  const { settings, clients } = context;
  const seconds = settings.runSeconds;
  const count = Math.max(1, Math.round(rate * seconds));
  // Signed before the run, as for the closed loop: the generator only sends during it.
  const pool = orderRequests(clients, estate.origin, count, skus);
  const processes = estate.processes();
  const serverBefore = await cpuOf(processes);
  const run = await runPaced({ origin: estate.origin, rate, seconds, next: (index) => pool[index]! });
  return {
    share: fraction,
    targetRate: rate,
    seconds: run.seconds,
    achievedRate: run.achievedRate,
    latencyMs: run.latencyMs,
    requests: run.completed,
    statuses: run.statuses,
    errors: run.errors,
    clean: run.non2xx === 0 && run.errors === 0 && run.completed === count,
    schedulerLagP99Ms: run.schedulerLagMs.p99,
    serverCpu: share(serverBefore, await cpuOf(processes), run.seconds),
  };
}

export interface ClosedLoopRun {
  readonly load: LoadResult;
  readonly amount: number;
  readonly clean: boolean;
  readonly serverCpu: number | undefined;
  /** CPU milliseconds each server process spent per order in the measured run. */
  readonly cpuMsPerOrder: Readonly<Record<string, number>> | undefined;
  readonly loadGeneratorCpu: number;
}

/** Two closed-loop warm-ups, then the measured closed loop, proofs pre-signed, CPU per process read around it. */
export async function closedLoopRun(context: BenchContext, estate: OrderEstate, skus: SkuPlan): Promise<ClosedLoopRun> {
  const { settings, clients } = context;
  const closed = (amount: number, requests = orderRequests(clients, estate.origin, amount + settings.connections, skus)): Promise<LoadResult> =>
    runClosedLoop({ origin: estate.origin, connections: settings.connections, amount, requests });
  const [first, second] = settings.quick ? WARMUP_ORDERS.quick : WARMUP_ORDERS.full;
  await closed(first);
  const warmup = await closed(second);
  const amount = Math.round(Math.max(warmup.okPerSecond, MIN_RATE) * settings.runSeconds);
  context.log(`  warm-up ${round(warmup.okPerSecond)} orders/s; measuring ${amount} orders, ${settings.connections} connections`);
  const pool = orderRequests(clients, estate.origin, amount + settings.connections, skus); // signed before CPU is counted
  const processes = estate.processes();
  const before = await cpuByProcess(processes);
  const loadBefore = process.cpuUsage();
  const load = await closed(amount, pool);
  const loadCpu = process.cpuUsage(loadBefore);
  const after = await cpuByProcess(processes);
  const perOrder = before === undefined || after === undefined || load.ok === 0
    ? undefined
    : Object.fromEntries(Object.keys(before).map((name) => [name, round(((after[name] ?? 0) - (before[name] ?? 0)) * 1000 / load.ok, 3)]));
  return {
    load,
    amount,
    clean: load.non2xx === 0 && load.errors === 0 && load.ok === amount,
    serverCpu: share(total(before), total(after), load.seconds),
    cpuMsPerOrder: perOrder,
    loadGeneratorCpu: round((loadCpu.user + loadCpu.system) / 1e6 / load.seconds, 2),
  };
}

/** Step 5: the closed loop again on an estate whose receivers keep hop replay claims in memory. */
async function measureWithMemoryHopReplay(context: BenchContext): Promise<{ requestsPerSecond: number; latencyMs: { p50: number; p99: number }; clean: boolean; serverCpu: number | undefined; cpuMsPerOrder: Readonly<Record<string, number>> | undefined }> {
  const estate = await OrderEstate.start({ pinning: context.pinning, issuer: context.issuer, audience: context.audience, serviceEnv: { HOP_REPLAY_STORE: 'memory' } });
  try {
    const run = await closedLoopRun(context, estate, new SkuPlan());
    return { requestsPerSecond: round(run.load.okPerSecond), latencyMs: { p50: run.load.latencyMs.p50, p99: run.load.latencyMs.p99 }, clean: run.clean, serverCpu: run.serverCpu, cpuMsPerOrder: run.cpuMsPerOrder };
  } finally {
    await estate.stop();
  }
}

/** CPU seconds of each of the estate's processes, by name; undefined where /proc is not readable. */
async function cpuByProcess(processes: readonly EstateProcess[]): Promise<Record<string, number> | undefined> {
  const seconds: Record<string, number> = {};
  for (const { name, pid } of processes) {
    const value = await cpuSecondsOf(pid);
    if (value === undefined) return undefined;
    seconds[name] = value;
  }
  return seconds;
}

/** CPU seconds of all the estate's processes together; undefined where /proc is not readable. */
async function cpuOf(processes: readonly EstateProcess[]): Promise<number | undefined> {
  return total(await cpuByProcess(processes));
}

function total(cpu: Readonly<Record<string, number>> | undefined): number | undefined {
  return cpu === undefined ? undefined : Object.values(cpu).reduce((sum, value) => sum + value, 0);
}

/** Share of one core the estate used (all servers are pinned to one: at most about 1). */
function share(before: number | undefined, after: number | undefined, seconds: number): number | undefined {
  return before === undefined || after === undefined || seconds <= 0 ? undefined : round((after - before) / seconds, 2);
}
