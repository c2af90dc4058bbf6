import { cpuSecondsOf, round, type BenchContext } from '../harness/bench-context.js';
import { EDGE_FASTIFY, measuredRun, startTarget, type Target, type TargetServer } from './http-targets.js';

/** Measured rounds per side, interleaved off, on, on without http, off... */
const ROUNDS = { quick: 2, full: 5 } as const;
/** Requests per warm-up and per measured round of each side (the edge's replay store holds 90 000 per run). */
const WARMUP_REQUESTS = { quick: 4_000, full: 25_000 } as const;
const ROUND_REQUESTS = { quick: 3_000, full: 8_000 } as const;

/**
 * The sides: no telemetry; the estate's telemetry with every trace recorded, and the same without
 * the HTTP server span; the same two with a tenth of the traces sampled.
 */
export type TelemetryEdgeSide = 'off' | 'on' | 'onWithoutHttp' | 'sampled' | 'sampledWithoutHttp';
const SIDES: readonly TelemetryEdgeSide[] = ['off', 'on', 'onWithoutHttp', 'sampled', 'sampledWithoutHttp'];

export interface TelemetryEdge {
  /** Requests of each side in each round. */
  readonly requestsPerRound: number;
  /** Edge CPU microseconds per request answered 200, over all rounds. */
  readonly cpuMicrosPerRequest: Readonly<Record<TelemetryEdgeSide, number>>;
  /** The same, round by round: how far one round may stray on this machine. */
  readonly roundCpuMicros: Readonly<Record<TelemetryEdgeSide, readonly number[]>>;
  /** Every request of every round answered 200. */
  readonly clean: boolean;
}

/**
 * `telemetry_edge` (issue 12 §5): the edge alone, one process on the server core, answering
 * `GET /v1/me` (every DPoP check, no call onward, as the http targets measure it) five times side
 * by side: telemetry off; on as in the order flow (`telemetryEnv`: every span recorded, OTLP
 * export, metrics, the operations port) and sampled as there (`sampledEnv`), each also with the
 * maintained http instrumentation disabled (OTEL_NODE_DISABLED_INSTRUMENTATIONS=http: no HTTP
 * server span). Each warmed up, then ROUNDS interleaved rounds; the figure is the edge's CPU per
 * request, from /proc. With no other process on the core, this step says what one request's
 * telemetry costs one process, apart from the order flow's interplay of five processes, and how
 * much of it the HTTP server span is.
 */
export async function measureTelemetryEdge(context: BenchContext, telemetryEnv: Readonly<Record<string, string>>, sampledEnv: Readonly<Record<string, string>>): Promise<TelemetryEdge> {
  const { quick } = context.settings;
  const withoutHttp = { OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'http' };
  const envOf: Record<TelemetryEdgeSide, Readonly<Record<string, string>>> = {
    off: {},
    on: { ...telemetryEnv, OPS_PORT: '0' },
    onWithoutHttp: { ...telemetryEnv, OPS_PORT: '0', ...withoutHttp },
    sampled: { ...sampledEnv, OPS_PORT: '0' },
    sampledWithoutHttp: { ...sampledEnv, OPS_PORT: '0', ...withoutHttp },
  };
  const targets = Object.fromEntries(SIDES.map((side) => [side, withEnv(EDGE_FASTIFY, envOf[side])])) as Record<TelemetryEdgeSide, Target>;
  const servers: Partial<Record<TelemetryEdgeSide, TargetServer>> = {};
  try {
    for (const side of SIDES) {
      servers[side] = await startTarget(context, targets[side]);
      await measuredRun(context, targets[side], servers[side]!, quick ? WARMUP_REQUESTS.quick : WARMUP_REQUESTS.full);
    }
    const requests = quick ? ROUND_REQUESTS.quick : ROUND_REQUESTS.full;
    const seconds = Object.fromEntries(SIDES.map((side) => [side, 0])) as Record<TelemetryEdgeSide, number>;
    const answered = Object.fromEntries(SIDES.map((side) => [side, 0])) as Record<TelemetryEdgeSide, number>;
    const rounds = Object.fromEntries(SIDES.map((side) => [side, [] as number[]])) as Record<TelemetryEdgeSide, number[]>;
    let clean = true;
    for (let round_ = 0; round_ < (quick ? ROUNDS.quick : ROUNDS.full); round_++) {
      for (const side of SIDES) {
        const server = servers[side]!;
        const before = await cpuSecondsOf(server.app.pid);
        const { load } = await measuredRun(context, targets[side], server, requests);
        const after = await cpuSecondsOf(server.app.pid);
        if (before === undefined || after === undefined) throw new Error(`telemetry_edge: no CPU time for the edge (${side}): did it exit?`);
        clean &&= load.non2xx === 0 && load.errors === 0 && load.ok === requests;
        seconds[side] += after - before;
        answered[side] += load.ok;
        rounds[side].push(round(((after - before) * 1e6) / Math.max(load.ok, 1)));
      }
      context.log(`  edge alone, round ${round_ + 1}: CPU µs per request ${SIDES.map((side) => `${side} ${rounds[side].at(-1)}`).join(', ')}`);
    }
    const cpuMicrosPerRequest = Object.fromEntries(SIDES.map((side) => [side, round((seconds[side] * 1e6) / Math.max(answered[side], 1), 1)])) as Record<TelemetryEdgeSide, number>;
    return { requestsPerRound: requests, cpuMicrosPerRequest, roundCpuMicros: rounds, clean };
  } finally {
    for (const side of SIDES) await servers[side]?.app.stop();
  }
}

/** The same target with `env` added to its environment. */
function withEnv(target: Target, env: Readonly<Record<string, string>>): Target {
  return {
    ...target,
    spec: (context, port) => {
      const spec = target.spec(context, port);
      return { ...spec, env: { ...spec.env, ...env } };
    },
  };
}
