import { loadavg } from 'node:os';
import { cpuSecondsOf, distPath, round, type BenchContext } from '../harness/bench-context.js';
import { SERVER_CORE, spawnPinned, type Pinning } from '../harness/cpu-pinning.js';
import type { LoadResult } from '../harness/load-generator.js';
import { OrderEstate } from '../harness/order-estate.js';
import { ORDER_FLOW_WARMUP_ORDERS, runClosedLoop } from '../harness/order-load.js';
import { orderRequests, SkuPlan } from '../harness/order-requests.js';
import { OtlpSink } from '../harness/otlp-sink.js';
import type { TelemetryDirectMode, TelemetryDirectResult } from '../harness/telemetry-direct.js';
import { measureTelemetryEdge, type TelemetryEdge } from './telemetry-edge.js';

/** Issue 12 §5: tracing and metrics may cost at most this share of the order flow's throughput. */
export const TELEMETRY_OVERHEAD_TARGET = 0.1;
/** Measured rounds per side, interleaved off/on so a noisy neighbour hits both alike. */
const ROUNDS = { quick: 2, full: 5 } as const;
const MIN_RATE = 20; // requests per second
/** The sampled side's share of traces recorded (OTEL_TRACES_SAMPLER_ARG). */
const SAMPLED_RATIO = 0.1;
/** Hop messages per mode of telemetry_direct (bench/harness/telemetry-direct.ts). */
const DIRECT_MESSAGES = { quick: 30_000, full: 100_000 } as const;
/**
 * telemetry_direct cold: KiB written between two messages, one core's L2 on this machine (2 MiB,
 * lscpu), standing for what else runs on the server core between two of orders' messages in the
 * order flow (the broker, edge, inventory, orders' own work); fewer messages, each costs more.
 */
const DIRECT_EVICT_KIB = 2_048;
const DIRECT_COLD_MESSAGES = { quick: 3_000, full: 10_000 } as const;
/** A telemetry_direct process that has not answered by then is killed and the step fails. */
const DIRECT_TIMEOUT_MS = 120_000; // milliseconds

export interface TelemetrySide {
  /** CPU milliseconds per order of each process (edge, sts, orders, inventory, nats-server), over all rounds. */
  readonly cpuMsPerOrder?: Readonly<Record<string, number>> | undefined;
  /** Mean of the rounds' throughputs, orders per second. */
  readonly requestsPerSecond: number;
  readonly rounds: readonly number[];
  readonly latencyMs: { readonly p50: number; readonly p99: number };
  readonly clean: boolean;
}

/**
 * The parts of `on`, each an estate of its own in the same interleaved rounds, priced as `on` is
 * (1 - side / off), all with the standard OTEL variables:
 * - metricsOnly: metrics as `on` (OTLP push, Prometheus on the operations port), no tracing
 *   (OTEL_TRACES_EXPORTER=none);
 * - unrecorded: tracing as `on` but every span dropped by the sampler (OTEL_TRACES_SAMPLER=always_off),
 *   no metrics (OTEL_METRICS_EXPORTER=none): what tracing costs before any span is recorded (the
 *   HTTP server span's instrumentation, trace context and `oth` on every hop, unsampled spans);
 * - unrecordedBare: unrecorded without the http instrumentation and without trace context on the
 *   hops (OTEL_NODE_DISABLED_INSTRUMENTATIONS=http, OTEL_PROPAGATORS=none): what is left of tracing.
 */
export type TelemetryPart = 'metricsOnly' | 'unrecorded' | 'unrecordedBare';
export const TELEMETRY_PARTS: readonly TelemetryPart[] = ['metricsOnly', 'unrecorded', 'unrecordedBare'];

export interface TelemetryPartFigure {
  readonly side: TelemetrySide;
  /** 1 - side / off, by throughput (means of the rounds). */
  readonly overhead: number;
  /** 1 - (CPU per order off) / (CPU per order of the side), all processes. */
  readonly cpuOverhead: number;
}

export interface TelemetryOverhead {
  readonly generated_at: string;
  readonly mode: 'quick' | 'full';
  readonly off: TelemetrySide;
  readonly on: TelemetrySide & { readonly otlpExports: number; readonly otlpBytes: number };
  /** Tracing on with parent-based trace-id-ratio sampling at `sampledRatio`, metrics as `on`. */
  readonly sampled: TelemetrySide;
  /** 1 - on / off: the share of throughput tracing (every trace) and metrics cost. */
  readonly overhead: number;
  /** 1 - sampled / off. */
  readonly sampledOverhead: number;
  /**
   * The same two figures as the median of the rounds' own ratios (each `on` or `sampled` round
   * against the `off` round run just before it): less moved by a neighbour's burst than the means.
   */
  readonly medianRoundOverhead: { readonly on: number; readonly sampled: number };
  /** Each round's own ratio, in round order: how far one round may stray on this machine. */
  readonly roundOverheads: { readonly on: readonly number[]; readonly sampled: readonly number[] };
  /**
   * 1 - (CPU per order off) / (CPU per order on), all processes: the throughput a dedicated server
   * core would lose, read from /proc rather than from the shared machine's varying rate.
   */
  readonly cpuOverhead: { readonly on: number; readonly sampled: number };
  /** The machine's 1-minute load average when the measured rounds started and ended (2 cores, shared). */
  readonly loadAverage: { readonly start: number; readonly end: number };
  /**
   * telemetry_direct: CPU microseconds the telemetry code itself spends on one hop message (orders'
   * share of an order: consumer, verification and producer spans, counts, a latency sample), in a
   * process of its own on the server core, with no SDK, unsampled and recorded; next to it, the CPU
   * per order the order flow measured on minus off (all processes), in microseconds. `cold`: the
   * same three modes with `evictKiB` written before each message (its CPU in all three: compare
   * the modes with each other), the telemetry finding its code and data out of cache as it does in
   * the order flow.
   */
  readonly direct: {
    readonly off: number;
    readonly unsampled: number;
    readonly recorded: number;
    readonly cold: { readonly evictKiB: number; readonly off: number; readonly unsampled: number; readonly recorded: number };
    readonly orderFlowCpuMicrosOnMinusOff: number;
  };
  /** What each part of `on` costs by itself (TelemetryPart), measured beside off, on and sampled. */
  readonly parts: Readonly<Record<TelemetryPart, TelemetryPartFigure>>;
  /** telemetry_edge: the edge alone, CPU per request off, on and sampled, each with and without the HTTP server span. */
  readonly edge: TelemetryEdge;
  readonly sampledRatio: number;
  readonly target: number;
  readonly met: boolean;
  readonly setup: string;
}

/**
 * `telemetry_overhead` (issue 12 §5): the order flow (edge -> sts -> orders -> sts -> inventory as
 * built processes, OrderEstate) twice side by side:
 * - off: no OTEL_* variable and no OPS_PORT, so no SDK is started (the API's no-ops remain);
 * - on: every app exports every span (the default parent-based always-on sampler: the worst case)
 *   and its metrics over OTLP/HTTP protobuf to an in-process sink (OtlpSink), metrics pushed every
 *   15 s (as compose does), and serves Prometheus text on an operations port;
 * - sampled: on with a tenth of the traces recorded;
 * - the parts of on (TelemetryPart), each priced the same way;
 * each warmed up until its order path is compiled (ORDER_FLOW_WARMUP_ORDERS), then ROUNDS
 * closed-loop runs each, interleaved off, on, sampled, parts, off, on..., each about `runSeconds`
 * long. The overhead is 1 - mean(on) / mean(off).
 */
export async function measureTelemetryOverhead(context: BenchContext): Promise<TelemetryOverhead> {
  const { settings } = context;
  const sink = await OtlpSink.start();
  const on = {
    OTEL_EXPORTER_OTLP_ENDPOINT: sink.endpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    // As compose pushes them (the SDK's default is 60 s).
    OTEL_METRIC_EXPORT_INTERVAL: '15000',
  };
  // The production-typical setting: a tenth of the traces recorded, decided once at the edge.
  const sampled = { ...on, OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: String(SAMPLED_RATIO) };
  const envOf: Record<OrderFlowSide, Readonly<Record<string, string>> | undefined> = {
    off: undefined,
    // OPS_PORT=0: each app's operations port (Prometheus text) on a free port of its own.
    on: { ...on, OPS_PORT: '0' },
    sampled: { ...sampled, OPS_PORT: '0' },
    metricsOnly: { ...on, OPS_PORT: '0', OTEL_TRACES_EXPORTER: 'none' },
    unrecorded: { ...on, OTEL_TRACES_SAMPLER: 'always_off', OTEL_METRICS_EXPORTER: 'none' },
    unrecordedBare: { ...on, OTEL_TRACES_SAMPLER: 'always_off', OTEL_METRICS_EXPORTER: 'none', OTEL_PROPAGATORS: 'none', OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'http' },
  };
  const estates: Partial<Record<OrderFlowSide, OrderEstate>> = {};
  try {
    context.log(`telemetry overhead: the order flow with tracing and metrics off and on, side by side, and on's parts (${TELEMETRY_PARTS.join(', ')})`);
    for (const side of ORDER_FLOW_SIDES) {
      const env = envOf[side];
      estates[side] = await OrderEstate.start({ pinning: context.pinning, issuer: context.issuer, audience: context.audience, ...(env === undefined ? {} : { serviceEnv: env, edgeEnv: env }) });
    }
    const skus = new SkuPlan();
    const closed = (estate: OrderEstate, amount: number): Promise<LoadResult> =>
      runClosedLoop({ origin: estate.origin, connections: settings.connections, amount, requests: orderRequests(context.clients, estate.origin, amount + settings.connections, skus) });
    const warmup = settings.quick ? ORDER_FLOW_WARMUP_ORDERS.quick : ORDER_FLOW_WARMUP_ORDERS.full;
    const warmRates: number[] = [];
    for (const side of ORDER_FLOW_SIDES) warmRates.push((await closed(estates[side]!, warmup)).okPerSecond);
    const amount = Math.round(Math.max(Math.min(...warmRates), MIN_RATE) * settings.runSeconds);
    context.log(`  warm-up ${ORDER_FLOW_SIDES.map((side, index) => `${side} ${round(warmRates[index]!)}`).join(', ')} orders/s; ${settings.quick ? ROUNDS.quick : ROUNDS.full} rounds of ${amount} orders each`);
    const runs = Object.fromEntries(ORDER_FLOW_SIDES.map((side) => [side, [] as LoadResult[]])) as Record<OrderFlowSide, LoadResult[]>;
    const loadStart = loadavg()[0]!;
    const cpu = Object.fromEntries(ORDER_FLOW_SIDES.map((side) => [side, new CpuPerOrder(estates[side]!)])) as Record<OrderFlowSide, CpuPerOrder>;
    for (let round_ = 0; round_ < (settings.quick ? ROUNDS.quick : ROUNDS.full); round_++) {
      for (const side of ORDER_FLOW_SIDES) runs[side].push(await cpu[side].measure(() => closed(estates[side]!, amount)));
      context.log(`  round ${round_ + 1}: ${ORDER_FLOW_SIDES.map((side) => `${side} ${round(runs[side].at(-1)!.okPerSecond)}`).join(', ')} orders/s`);
    }
    const sides = Object.fromEntries(ORDER_FLOW_SIDES.map((side) => [side, { ...sideOf(runs[side], amount), cpuMsPerOrder: cpu[side].perOrder() }])) as Record<OrderFlowSide, TelemetrySide>;
    const { off, on: onSide, sampled: sampledSide } = sides;
    context.log(`  CPU ms per order, ${ORDER_FLOW_SIDES.map((side) => `${side} ${JSON.stringify(sides[side].cpuMsPerOrder)}`).join(', ')}`);
    const loadEnd = loadavg()[0]!;
    const messages = settings.quick ? DIRECT_MESSAGES.quick : DIRECT_MESSAGES.full;
    const coldMessages = settings.quick ? DIRECT_COLD_MESSAGES.quick : DIRECT_COLD_MESSAGES.full;
    const directOf = async (mode: TelemetryDirectMode, evictKiB = 0) =>
      (await runTelemetryDirect(context.pinning, mode, evictKiB === 0 ? messages : coldMessages, evictKiB, sink.endpoint)).cpuMicrosPerMessage;
    const direct = {
      off: await directOf('off'),
      unsampled: await directOf('unsampled'),
      recorded: await directOf('recorded'),
      cold: { evictKiB: DIRECT_EVICT_KIB, off: await directOf('off', DIRECT_EVICT_KIB), unsampled: await directOf('unsampled', DIRECT_EVICT_KIB), recorded: await directOf('recorded', DIRECT_EVICT_KIB) },
      orderFlowCpuMicrosOnMinusOff: round((cpuTotal(onSide.cpuMsPerOrder) - cpuTotal(off.cpuMsPerOrder)) * 1000),
    };
    context.log(`  telemetry_direct, CPU µs per hop message: off ${direct.off}, unsampled ${direct.unsampled}, recorded ${direct.recorded}; cold (${DIRECT_EVICT_KIB} KiB written before each): off ${direct.cold.off}, unsampled ${direct.cold.unsampled}, recorded ${direct.cold.recorded}; the order flow measured ${direct.orderFlowCpuMicrosOnMinusOff} µs more CPU per order with telemetry on`);
    context.log('  telemetry_edge: the edge alone, off, on and sampled, with and without the http instrumentation');
    const edge = await measureTelemetryEdge(context, on, sampled);
    context.log(`  edge alone, CPU µs per request: ${JSON.stringify(edge.cpuMicrosPerRequest)}${edge.clean ? '' : ' (NOT all 200)'}`);
    const overhead = round(1 - onSide.requestsPerSecond / off.requestsPerSecond, 3);
    const sampledOverhead = round(1 - sampledSide.requestsPerSecond / off.requestsPerSecond, 3);
    const roundOverheads = { on: roundRatioOverheads(runs.off, runs.on), sampled: roundRatioOverheads(runs.off, runs.sampled) };
    const medianRoundOverhead = { on: median(roundOverheads.on), sampled: median(roundOverheads.sampled) };
    const cpuOverhead = { on: cpuOverheadOf(off, onSide), sampled: cpuOverheadOf(off, sampledSide) };
    const parts = Object.fromEntries(
      TELEMETRY_PARTS.map((part) => [part, { side: sides[part], overhead: round(1 - sides[part].requestsPerSecond / off.requestsPerSecond, 3), cpuOverhead: cpuOverheadOf(off, sides[part]) }]),
    ) as Record<TelemetryPart, TelemetryPartFigure>;
    context.log(`  parts of on: ${TELEMETRY_PARTS.map((part) => `${part} ${round(parts[part].overhead * 100, 1)} % (CPU ${round(parts[part].cpuOverhead * 100, 1)} %)`).join(', ')}`);
    context.log(`  median of the rounds' ratios: ${round(medianRoundOverhead.on * 100, 1)} % every trace, ${round(medianRoundOverhead.sampled * 100, 1)} % sampled; by CPU per order: ${round(cpuOverhead.on * 100, 1)} %, ${round(cpuOverhead.sampled * 100, 1)} %; load average ${round(loadStart, 2)} -> ${round(loadEnd, 2)}`);
    context.log(`  off ${off.requestsPerSecond}, on ${onSide.requestsPerSecond}, sampled ${sampledSide.requestsPerSecond} orders/s: overhead ${round(overhead * 100, 1)} % every trace, ${round(sampledOverhead * 100, 1)} % at ${SAMPLED_RATIO * 100} % sampled (target at most ${TELEMETRY_OVERHEAD_TARGET * 100} %); ${sink.requests} OTLP exports, ${sink.bytes} bytes`);
    return {
      generated_at: new Date().toISOString(),
      mode: settings.quick ? 'quick' : 'full',
      off,
      on: { ...onSide, otlpExports: sink.requests, otlpBytes: sink.bytes },
      sampled: sampledSide,
      overhead,
      sampledOverhead,
      medianRoundOverhead,
      roundOverheads,
      cpuOverhead,
      loadAverage: { start: round(loadStart, 2), end: round(loadEnd, 2) },
      direct,
      parts,
      edge,
      sampledRatio: SAMPLED_RATIO,
      target: TELEMETRY_OVERHEAD_TARGET,
      met: overhead <= TELEMETRY_OVERHEAD_TARGET,
      setup: `on: every span sampled (parentbased_always_on), OTLP/HTTP protobuf to an in-process sink in the load generator, metrics pushed every 15 s (as compose), Prometheus reader on an operations port; sampled: the same with parentbased_traceidratio ${SAMPLED_RATIO}; off: no OTEL_* variable, no OPS_PORT; the parts as TelemetryPart says`,
    };
  } finally {
    for (const side of [...ORDER_FLOW_SIDES].reverse()) await estates[side]?.stop();
    await sink.close();
  }
}

/**
 * Runs bench/harness/telemetry-direct.js in `mode` on the server core (the estates are idle by
 * then) and reads its one JSON line; a failure or a process silent for DIRECT_TIMEOUT_MS fails the
 * step, saying which.
 */
function runTelemetryDirect(pinning: Pinning, mode: TelemetryDirectMode, messages: number, evictKiB: number, endpoint: string): Promise<TelemetryDirectResult> {
  return new Promise((resolve, reject) => {
    const child = spawnPinned(pinning, SERVER_CORE, process.execPath, [distPath('bench/harness/telemetry-direct.js'), mode, String(messages), String(evictKiB)], {
      env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: endpoint },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), DIRECT_TIMEOUT_MS);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const line = stdout.trim().split('\n').at(-1) ?? '';
      if (code === 0 && line.startsWith('{')) resolve(JSON.parse(line) as TelemetryDirectResult);
      else reject(new Error(`telemetry_direct ${mode}: exited ${code ?? signal}${signal === 'SIGKILL' ? ` (no answer in ${DIRECT_TIMEOUT_MS / 1000} s)` : ''}: ${stderr.trim().split('\n').at(-1) ?? ''}`));
    });
  });
}

/** CPU seconds of each process of an estate summed over measured runs, per order answered 2xx. */
class CpuPerOrder {
  readonly #seconds = new Map<string, number>();
  #orders = 0;

  constructor(private readonly estate: OrderEstate) {}

  async measure(run: () => Promise<LoadResult>): Promise<LoadResult> {
    const processes = this.estate.processes();
    const before = await Promise.all(processes.map((entry) => cpuSecondsOf(entry.pid)));
    const result = await run();
    const after = await Promise.all(processes.map((entry) => cpuSecondsOf(entry.pid)));
    processes.forEach((entry, index) => {
      const used = (after[index] ?? 0) - (before[index] ?? 0);
      this.#seconds.set(entry.name, (this.#seconds.get(entry.name) ?? 0) + used);
    });
    this.#orders += result.ok;
    return result;
  }

  perOrder(): Record<string, number> | undefined {
    if (this.#orders === 0) return undefined;
    return Object.fromEntries([...this.#seconds].map(([name, seconds]) => [name, round((seconds * 1000) / this.#orders, 3)]));
  }
}

/** The estates of the order flow, in round order: off first, each round's others against it. */
type OrderFlowSide = 'off' | 'on' | 'sampled' | TelemetryPart;
const ORDER_FLOW_SIDES: readonly OrderFlowSide[] = ['off', 'on', 'sampled', ...TELEMETRY_PARTS];

function cpuTotal(side: Readonly<Record<string, number>> | undefined): number {
  return Object.values(side ?? {}).reduce((sum, value) => sum + value, 0);
}

/** 1 - (CPU per order off) / (CPU per order of `side`), all processes. */
function cpuOverheadOf(off: TelemetrySide, side: TelemetrySide): number {
  return round(1 - cpuTotal(off.cpuMsPerOrder) / cpuTotal(side.cpuMsPerOrder), 3);
}

/** 1 - side / off for each round, each against the off round run just before it. */
function roundRatioOverheads(off: readonly LoadResult[], side: readonly LoadResult[]): number[] {
  return side.map((run, index) => round(1 - run.okPerSecond / off[index]!.okPerSecond, 3));
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return round(sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2, 3);
}

function sideOf(runs: readonly LoadResult[], amount: number): TelemetrySide {
  const rates = runs.map((run) => round(run.okPerSecond));
  const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
  return {
    requestsPerSecond: round(rates.reduce((sum, rate) => sum + rate, 0) / rates.length),
    rounds: rates,
    latencyMs: { p50: sorted(runs.map((run) => run.latencyMs.p50))[Math.floor(runs.length / 2)]!, p99: Math.max(...runs.map((run) => run.latencyMs.p99)) },
    clean: runs.every((run) => run.non2xx === 0 && run.errors === 0 && run.ok === amount),
  };
}

/** The overhead figure as Markdown, for bench/results/telemetry-overhead.md. */
export function renderTelemetryOverhead(result: TelemetryOverhead): string {
  const pct = (value: number) => `${round(value * 100, 1)} %`;
  return [
    '# Telemetry overhead (issue 12 §5)',
    '',
    `Generated ${result.generated_at}, ${result.mode} run. The order flow (edge -> sts -> orders -> sts -> inventory, built processes) with tracing and metrics off and on, side by side, rounds interleaved.`,
    '',
    '| | orders/s (mean) | rounds | p50 ms | p99 ms | all 2xx |',
    '|---|---:|---|---:|---:|---|',
    `| off | ${result.off.requestsPerSecond} | ${result.off.rounds.join(', ')} | ${result.off.latencyMs.p50} | ${result.off.latencyMs.p99} | ${result.off.clean ? 'yes' : 'NO'} |`,
    `| on, every trace | ${result.on.requestsPerSecond} | ${result.on.rounds.join(', ')} | ${result.on.latencyMs.p50} | ${result.on.latencyMs.p99} | ${result.on.clean ? 'yes' : 'NO'} |`,
    `| on, ${pct(result.sampledRatio)} of traces | ${result.sampled.requestsPerSecond} | ${result.sampled.rounds.join(', ')} | ${result.sampled.latencyMs.p50} | ${result.sampled.latencyMs.p99} | ${result.sampled.clean ? 'yes' : 'NO'} |`,
    '',
    `**Overhead: ${pct(result.overhead)} of throughput with every trace recorded, ${pct(result.sampledOverhead)} with ${pct(result.sampledRatio)} sampled** (target at most ${pct(result.target)} for every trace: ${result.met ? 'met' : 'NOT met'}). ${result.on.otlpExports} OTLP exports, ${result.on.otlpBytes} bytes.`,
    '',
    `Median of the rounds' own ratios: ${pct(result.medianRoundOverhead.on)} every trace (rounds: ${result.roundOverheads.on.map(pct).join(', ')}), ${pct(result.medianRoundOverhead.sampled)} sampled (rounds: ${result.roundOverheads.sampled.map(pct).join(', ')}). By CPU per order (all processes, /proc): ${pct(result.cpuOverhead.on)} every trace, ${pct(result.cpuOverhead.sampled)} sampled. Machine load average (1 min, 2 shared cores) ${result.loadAverage.start} at the first round, ${result.loadAverage.end} after the last.`,
    '',
    'CPU milliseconds per order (the STS is seldom asked: each bench client reuses its token, so exchanges come from the cache):',
    '',
    '| | ' + Object.keys(result.off.cpuMsPerOrder ?? {}).join(' | ') + ' |',
    '|---|' + Object.keys(result.off.cpuMsPerOrder ?? {}).map(() => '---:').join('|') + '|',
    ...(['off', 'on', 'sampled'] as const).map((side) => `| ${side} | ` + Object.keys(result.off.cpuMsPerOrder ?? {}).map((name) => result[side].cpuMsPerOrder?.[name] ?? '-').join(' | ') + ' |'),
    ...TELEMETRY_PARTS.map((part) => `| ${PART_TEXT[part].label} | ` + Object.keys(result.off.cpuMsPerOrder ?? {}).map((name) => result.parts[part].side.cpuMsPerOrder?.[name] ?? '-').join(' | ') + ' |'),
    '',
    renderParts(result, pct),
    '',
    `Direct cost (telemetry_direct: the telemetry code of one hop message, orders' share of an order, in a process of its own on the server core): ${result.direct.off} µs CPU with no SDK, ${result.direct.unsampled} µs unsampled, ${result.direct.recorded} µs recorded and exported. The order flow above measured ${result.direct.orderFlowCpuMicrosOnMinusOff} µs more CPU per order with telemetry on, over edge (HTTP server span, verification, producer), orders (this message), inventory (consumer, verification) and the broker.`,
    '',
    `Cold (the same message with ${result.direct.cold.evictKiB} KiB written before each, so its code and data are out of cache, as in the order flow where five processes share the server core): ${result.direct.cold.off} µs with no SDK, ${result.direct.cold.unsampled} µs unsampled, ${result.direct.cold.recorded} µs recorded (the writing's own CPU in all three). The telemetry's share: ${round(result.direct.cold.unsampled - result.direct.cold.off, 1)} µs unsampled and ${round(result.direct.cold.recorded - result.direct.cold.off, 1)} µs recorded cold, against ${round(result.direct.unsampled - result.direct.off, 1)} and ${round(result.direct.recorded - result.direct.off, 1)} µs warm.`,
    '',
    renderEdge(result.edge, pct(result.sampledRatio)),
    '',
    `Set-up: ${result.setup}.`,
    '',
    'A shared 2-core machine: compare the two sides of one run, not figures across runs.',
    '',
  ].join('\n');
}

/** Each part as the tables name and describe it. */
const PART_TEXT: Readonly<Record<TelemetryPart, { readonly label: string; readonly what: string }>> = {
  metricsOnly: { label: 'metrics only', what: 'metrics as on (OTLP push, Prometheus on the operations port), no tracing (`OTEL_TRACES_EXPORTER=none`)' },
  unrecorded: {
    label: 'tracing, nothing recorded',
    what: 'tracing as on, every span dropped by the sampler (`OTEL_TRACES_SAMPLER=always_off`), no metrics: the http instrumentation, trace context and `oth` on every hop, unsampled spans',
  },
  unrecordedBare: {
    label: 'tracing, nothing recorded, bare',
    what: 'the same without the http instrumentation and without trace context on the hops (`OTEL_NODE_DISABLED_INSTRUMENTATIONS=http`, `OTEL_PROPAGATORS=none`)',
  },
};

function renderParts(result: TelemetryOverhead, pct: (value: number) => string): string {
  return [
    'What each part of on costs by itself (estates of their own, in the same interleaved rounds):',
    '',
    '| | what runs | orders/s (mean) | rounds | overhead | by CPU per order | all 2xx |',
    '|---|---|---:|---|---:|---:|---|',
    ...TELEMETRY_PARTS.map((part) => {
      const { side, overhead, cpuOverhead } = result.parts[part];
      return `| ${PART_TEXT[part].label} | ${PART_TEXT[part].what} | ${side.requestsPerSecond} | ${side.rounds.join(', ')} | ${pct(overhead)} | ${pct(cpuOverhead)} | ${side.clean ? 'yes' : 'NO'} |`;
    }),
  ].join('\n');
}

function renderEdge(edge: TelemetryEdge, sampled: string): string {
  const cpu = edge.cpuMicrosPerRequest;
  const rounds = (side: keyof TelemetryEdge['roundCpuMicros']) => edge.roundCpuMicros[side].join(', ');
  const lines = [
    `The edge alone (telemetry_edge: \`GET /v1/me\`, every DPoP check, no call onward; one process on the server core, rounds of ${edge.requestsPerRound} requests${edge.clean ? '' : '; NOT all answered 200'}), CPU µs per request:`,
    '',
    '| | mean | rounds | added to off | of which the HTTP server span |',
    '|---|--:|---|--:|--:|',
    `| off | ${cpu.off} | ${rounds('off')} | | |`,
  ];
  for (const [side, without, label] of [['on', 'onWithoutHttp', 'on, every trace'], ['sampled', 'sampledWithoutHttp', `on, ${sampled} of traces`]] as const) {
    lines.push(`| ${label} | ${cpu[side]} | ${rounds(side)} | ${round(cpu[side] - cpu.off, 1)} (${round((cpu[side] / cpu.off - 1) * 100, 1)} %) | ${round(cpu[side] - cpu[without], 1)} |`);
    lines.push(`| ${label}, without the http instrumentation | ${cpu[without]} | ${rounds(without)} | ${round(cpu[without] - cpu.off, 1)} | |`);
  }
  return lines.join('\n');
}
