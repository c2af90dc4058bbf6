import type { AppProcess } from '../../scripts/estate/app-process.js';
import { freePort } from '../../test-support/free-port.js';
import { cpuSecondsOf, distPath, round, type BenchContext } from '../harness/bench-context.js';
import { runLoad, type LoadResult } from '../harness/load-generator.js';
import { invalidRequests, validRequests, type RequestHeaders } from '../harness/proof-pool.js';
import { startPinnedProcess } from '../harness/pinned-process.js';

/** The route every target serves: the edge's `GET /v1/me`. */
export const ME_PATH = '/v1/me';
/** Answered 200 by every target once it is ready. */
const HEALTH_PATH = '/healthz';

export type TargetName = 'edge_fastify' | 'edge_express' | 'peer_express_oauth2_jwt_bearer' | 'bare_nest_fastify' | 'bare_nest_express';

export interface Target {
  readonly name: TargetName;
  readonly description: string;
  /** Checks DPoP: gets unique proofs and the honesty checks; otherwise proofs are cycled. */
  readonly verifies: boolean;
  /** Its replay store holds at most ~100 000 claims per process (the edge's in-memory default). */
  readonly replayCapacity?: number;
  spec(context: BenchContext, port: number): TargetSpec;
}

/** A Node script and its whole environment (PATH added); it serves on the port given and answers 200 on /healthz once ready. */
export interface TargetSpec {
  readonly main: string;
  readonly env: Readonly<Record<string, string>>;
}

/** A started target: its process, pinned to the server core, and where it listens. */
export interface TargetServer {
  readonly app: AppProcess;
  readonly origin: string;
}

/** The edge's MemoryReplayStore default (DEFAULT_REPLAY_MAX_ENTRIES), less a margin. */
const EDGE_CLAIMS_PER_PROCESS = 90_000;

const edge = (adapter: 'fastify' | 'express'): Target => ({
  name: `edge_${adapter}`,
  description: `the edge (dist/apps/edge/main.js) on ${adapter === 'fastify' ? 'Fastify' : 'Express'}: every DPoP check, in-memory replay store`,
  verifies: true,
  replayCapacity: EDGE_CLAIMS_PER_PROCESS,
  spec: (context, port) => ({
    main: distPath('apps/edge/main.js'),
    env: {
      EDGE_PORT: String(port),
      EDGE_PUBLIC_URL: `http://127.0.0.1:${port}`,
      EDGE_AUDIENCE: context.audience,
      AUTH_ISSUER: context.issuer.issuer,
      AUTH_JWKS_URI: `${context.issuer.issuer}/jwks`,
      EDGE_HTTP_ADAPTER: adapter,
      REPLAY_STORE: 'memory',
    },
  }),
});

export const EDGE_FASTIFY = edge('fastify');

export const TARGETS: readonly Target[] = [
  EDGE_FASTIFY,
  edge('express'),
  {
    name: 'peer_express_oauth2_jwt_bearer',
    description: "Auth0's express-oauth2-jwt-bearer, DPoP required, on bare Express (no replay protection)",
    verifies: true,
    spec: (context, port) => ({
      main: distPath('bench/servers/peer-server.js'),
      env: { PORT: String(port), AUTH_ISSUER: context.issuer.issuer, AUTH_JWKS_URI: `${context.issuer.issuer}/jwks`, AUDIENCE: context.audience },
    }),
  },
  ...(['fastify', 'express'] as const).map(
    (adapter): Target => ({
      name: `bare_nest_${adapter}`,
      description: `a bare Nest route on ${adapter === 'fastify' ? 'Fastify' : 'Express'}, no checks (framework ceiling)`,
      verifies: false,
      spec: (_context, port) => ({
        main: distPath('bench/servers/bare-nest-server.js'),
        env: { PORT: String(port), EDGE_HTTP_ADAPTER: adapter },
      }),
    }),
  ),
];

/** What the warm-up asserts, so the comparison is honest: a verifier that refuses bad proofs. */
export interface HonestyChecks {
  readonly validAccepted: boolean;
  readonly tamperedSignatureRefused: boolean;
  readonly wrongHtuRefused: boolean;
  readonly foreignKeyRefused: boolean;
  readonly bearerDowngradeRefused: boolean;
  /** The same proof sent twice: refused the second time (E17). */
  readonly replayRefused: boolean;
}

export interface TargetMeasurement {
  readonly description: string;
  readonly requestsPerSecond: number;
  readonly latencyMs: LoadResult['latencyMs'];
  readonly requests: number;
  readonly seconds: number;
  readonly statuses: Readonly<Record<string, number>>;
  readonly errors: number;
  /** Share of the server core the server used during the run (1 = saturated). */
  readonly serverCpu: number | undefined;
  /** Share of the load core the generator used (near 1: the generator may be the limit). */
  readonly loadGeneratorCpu: number;
  /** Every request answered 2xx, none errored. */
  readonly clean: boolean;
  readonly proofs: 'unique per request' | 'cycled (not checked by the target)';
  readonly honesty?: HonestyChecks;
}

export async function startTarget(context: BenchContext, target: Target, nodeOptions: readonly string[] = []): Promise<TargetServer> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const app = await startPinnedProcess(context.pinning, { name: target.name, ...target.spec(context, port), nodeOptions, ready: { url: `${origin}${HEALTH_PATH}` } });
  return { app, origin };
}

/** Starts the target, checks it, warms it up, measures it, stops it. */
export async function measureTarget(context: BenchContext, target: Target): Promise<TargetMeasurement> {
  const { settings } = context;
  const server = await startTarget(context, target);
  try {
    const honesty = target.verifies ? await checkHonesty(context, target, server) : undefined;
    // Two warm-ups: the first brings the JIT and the caches up, the second's rate sizes the run.
    const warmupRequests = target.verifies ? settings.warmupRequests : settings.bareWarmupRequests;
    await measuredRun(context, target, server, warmupRequests);
    const warmup = await measuredRun(context, target, server, warmupRequests);
    const rate = Math.max(warmup.load.okPerSecond, 100);
    const budget = (target.replayCapacity ?? Number.POSITIVE_INFINITY) - 2 * warmupRequests - 10;
    const amount = Math.round(Math.min(rate * settings.runSeconds, budget));
    context.log(`  ${target.name}: warm-up ${round(warmup.load.okPerSecond)} req/s; measuring ${amount} requests`);
    const { load, serverCpu, loadGeneratorCpu } = await measuredRun(context, target, server, amount);
    return {
      description: target.description,
      requestsPerSecond: round(load.okPerSecond),
      latencyMs: { mean: round(load.latencyMs.mean, 2), p50: load.latencyMs.p50, p99: load.latencyMs.p99 },
      requests: load.completed,
      seconds: round(load.seconds, 2),
      statuses: load.statuses,
      errors: load.errors,
      serverCpu,
      loadGeneratorCpu,
      clean: load.non2xx === 0 && load.errors === 0 && load.ok === amount,
      proofs: target.verifies ? 'unique per request' : 'cycled (not checked by the target)',
      ...(honesty === undefined ? {} : { honesty }),
    };
  } catch (error) {
    context.log(`  ${target.name} failed; its output:\n${server.app.output.slice(-3000)}`);
    throw error;
  } finally {
    await server.app.stop();
  }
}

export interface MeasuredRun {
  readonly load: LoadResult;
  readonly serverCpu: number | undefined;
  readonly loadGeneratorCpu: number;
}

/** `amount` requests, proofs made just before (unique for verifying targets), CPU use sampled. */
export async function measuredRun(context: BenchContext, target: Target, server: TargetServer, amount: number): Promise<MeasuredRun> {
  const { connections } = context.settings;
  const htu = `${server.origin}${ME_PATH}`;
  const pool = target.verifies ? validRequests(context.clients, htu, amount + connections) : validRequests(context.clients, htu, Math.min(amount, 5_000));
  const serverBefore = await cpuSecondsOf(server.app.pid);
  const loadBefore = process.cpuUsage();
  const load = await runLoad({ origin: server.origin, path: ME_PATH, connections, amount, requests: pool, cycle: !target.verifies });
  const used = process.cpuUsage(loadBefore);
  const serverAfter = await cpuSecondsOf(server.app.pid);
  const serverCpu = serverBefore === undefined || serverAfter === undefined ? undefined : round((serverAfter - serverBefore) / load.seconds, 2);
  return { load, serverCpu, loadGeneratorCpu: round((used.user + used.system) / 1e6 / load.seconds, 2) };
}

async function checkHonesty(context: BenchContext, target: Target, server: TargetServer): Promise<HonestyChecks> {
  const url = `${server.origin}${ME_PATH}`;
  const [valid, other] = validRequests(context.clients, url, 2) as [RequestHeaders, RequestHeaders];
  const status = async (headers: RequestHeaders | Record<string, string>): Promise<number> => (await fetch(url, { headers: { ...headers } })).status;
  // Refused: any 4xx (RFC 9449 §7.1 answers invalid_dpop_proof with 401; the peer answers 400).
  const refused = (code: number): boolean => code >= 400 && code < 500;
  const validAccepted = (await status(valid)) === 200;
  const [tampered, foreign] = invalidRequests(context.clients, url, 2, 1) as [RequestHeaders, RequestHeaders];
  const [wrongHtu] = validRequests(context.clients, `${server.origin}/v1/other`, 1) as [RequestHeaders];
  const checks: HonestyChecks = {
    validAccepted,
    tamperedSignatureRefused: refused(await status(tampered)),
    wrongHtuRefused: refused(await status(wrongHtu)),
    foreignKeyRefused: refused(await status(foreign)),
    bearerDowngradeRefused: refused(await status({ authorization: other.authorization.replace('DPoP ', 'Bearer ') })),
    replayRefused: refused(await status(valid)),
  };
  const { replayRefused: _replay, ...mustHold } = checks;
  const failed = Object.entries(mustHold).filter(([, held]) => !held).map(([name]) => name);
  // A target that accepts a bad proof would make the comparison meaningless: stop here.
  if (failed.length > 0) throw new Error(`${target.name} failed the honesty checks: ${failed.join(', ')}`);
  context.log(`  ${target.name}: refuses tampered, wrong-htu, foreign-key and Bearer-downgraded requests; replay ${checks.replayRefused ? 'refused' : 'ACCEPTED'}`);
  return checks;
}
