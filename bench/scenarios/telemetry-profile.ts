import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { distPath, round, type BenchContext } from '../harness/bench-context.js';
import { summarizeCpuProfile } from '../harness/cpu-profile-summary.js';
import { OrderEstate } from '../harness/order-estate.js';
import { ORDER_FLOW_WARMUP_ORDERS, runClosedLoop } from '../harness/order-load.js';
import { orderRequests, SkuPlan } from '../harness/order-requests.js';
import { OtlpSink } from '../harness/otlp-sink.js';

/** Functions listed per process: the largest differences of self time per order, on minus off. */
const TOP = 25;

export interface TelemetryProfileFunction {
  readonly name: string;
  /** Self time per order, microseconds, off and on. */
  readonly offUs: number;
  readonly onUs: number;
}

export interface TelemetryProfileProcess {
  /** Sampled main-thread time per order, microseconds (idle excluded), off and on. */
  readonly busyUsPerOrder: { readonly off: number; readonly on: number };
  /** By module (a package, Node's internals, the project's dist folders): self time per order, largest difference first. */
  readonly byModule: readonly TelemetryProfileFunction[];
  readonly byFunction: readonly TelemetryProfileFunction[];
}

export interface TelemetryProfile {
  readonly generated_at: string;
  readonly orders: { readonly off: number; readonly on: number };
  readonly ordersPerSecond: { readonly off: number; readonly on: number };
  readonly processes: Readonly<Record<string, TelemetryProfileProcess>>;
  readonly note: string;
}

/**
 * Where telemetry's cost goes (issue 12 §5): the order flow off and on (every trace, metrics over
 * OTLP and Prometheus, as `telemetry_overhead`), every app under `node --cpu-prof`, one measured
 * closed-loop run each of the same size; self time per order by function and by module, on
 * against off, for each of edge, sts, orders, inventory. `keep`: a folder for the raw profiles.
 */
export async function profileTelemetry(context: BenchContext, keep?: string): Promise<TelemetryProfile> {
  const { settings } = context;
  const sink = await OtlpSink.start();
  const on = { OTEL_EXPORTER_OTLP_ENDPOINT: sink.endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_METRIC_EXPORT_INTERVAL: '15000', OPS_PORT: '0' };
  const directory = keep ?? (await mkdtemp(join(tmpdir(), 'telemetry-cpu-prof-')));
  const preload = pathToFileURL(distPath('bench/servers/exit-on-signal.js')).href;
  const profileDir = async (side: string): Promise<string> => {
    const path = join(directory, side);
    await rm(path, { recursive: true, force: true });
    await mkdir(path, { recursive: true });
    return path;
  };
  const dirs = { off: await profileDir('off'), on: await profileDir('on') };
  const estates: { off?: OrderEstate; on?: OrderEstate } = {};
  try {
    const base = { pinning: context.pinning, issuer: context.issuer, audience: context.audience };
    // Each app writes its profile as <dir>/<app>.cpuprofile (the pid tells them apart: name by process below).
    estates.off = await OrderEstate.start({ ...base, nodeOptions: ['--cpu-prof', `--cpu-prof-dir=${dirs.off}`, '--import', preload] });
    estates.on = await OrderEstate.start({ ...base, serviceEnv: on, edgeEnv: on, nodeOptions: ['--cpu-prof', `--cpu-prof-dir=${dirs.on}`, '--import', preload] });
    const skus = new SkuPlan();
    const closed = (estate: OrderEstate, amount: number) =>
      runClosedLoop({ origin: estate.origin, connections: settings.connections, amount, requests: orderRequests(context.clients, estate.origin, amount + settings.connections, skus) });
    const warmup = settings.quick ? ORDER_FLOW_WARMUP_ORDERS.quick : ORDER_FLOW_WARMUP_ORDERS.full;
    const warmOff = await closed(estates.off, warmup);
    const warmOn = await closed(estates.on, warmup);
    const amount = Math.round(Math.max(Math.min(warmOff.okPerSecond, warmOn.okPerSecond), 20) * settings.runSeconds);
    context.log(`  profiling ${amount} orders each side (warm-up off ${round(warmOff.okPerSecond)}, on ${round(warmOn.okPerSecond)} orders/s)`);
    const pids = { off: new Map(estates.off.processes().map((entry) => [entry.pid, entry.name])), on: new Map(estates.on.processes().map((entry) => [entry.pid, entry.name])) };
    // Each side stopped right after its run: a profile's last seconds are that run.
    const offRun = await closed(estates.off, amount);
    await estates.off.stop('SIGUSR2');
    const onRun = await closed(estates.on, amount);
    await estates.on.stop('SIGUSR2');
    const summaries = { off: await summaries_(dirs.off, pids.off, offRun.seconds, offRun.ok), on: await summaries_(dirs.on, pids.on, onRun.seconds, onRun.ok) };
    const processes: Record<string, TelemetryProfileProcess> = {};
    for (const name of ['edge', 'sts', 'orders', 'inventory']) {
      const off = summaries.off.get(name);
      const onSide = summaries.on.get(name);
      if (off === undefined || onSide === undefined) continue;
      processes[name] = {
        busyUsPerOrder: { off: round(off.busyUs, 1), on: round(onSide.busyUs, 1) },
        byModule: difference(off.modules, onSide.modules),
        byFunction: difference(off.functions, onSide.functions),
      };
    }
    return {
      generated_at: new Date().toISOString(),
      orders: { off: offRun.ok, on: onRun.ok },
      ordersPerSecond: { off: round(offRun.okPerSecond), on: round(onRun.okPerSecond) },
      processes,
      note: 'V8 samples of each app\'s main thread (node --cpu-prof, 1 ms interval), the measured run only; microseconds per order answered; the profiler itself costs a few per cent on both sides.',
    };
  } finally {
    await estates.on?.stop();
    await estates.off?.stop();
    await sink.close();
    if (keep === undefined) await rm(directory, { recursive: true, force: true });
  }
}

interface PerOrder {
  readonly busyUs: number;
  readonly functions: Map<string, number>;
  readonly modules: Map<string, number>;
}

/** Each profile in `dir` by app name (its pid, `CPU.<date>.<time>.<pid>.<tid>.<seq>.cpuprofile`): self time per order. */
async function summaries_(dir: string, pids: Map<number | undefined, string>, seconds: number, orders: number): Promise<Map<string, PerOrder>> {
  const result = new Map<string, PerOrder>();
  for (const file of (await readdir(dir)).filter((name) => name.endsWith('.cpuprofile'))) {
    const pid = Number(file.split('.')[3]);
    const name = pids.get(pid);
    if (name === undefined) continue;
    const summary = summarizeCpuProfile(await readFile(join(dir, file), 'utf8'), seconds, 100_000);
    const perOrder = (entries: readonly { name: string; selfMs: number }[]) => new Map(entries.map((entry) => [entry.name, (entry.selfMs * 1000) / orders]));
    const functions = perOrder(summary.topFunctions);
    result.set(name, {
      busyUs: (summary.sampledMs * (1 - summary.idleShare) * 1000) / orders,
      functions,
      modules: perOrder(summary.byModule),
    });
  }
  return result;
}

function difference(off: Map<string, number>, on: Map<string, number>): TelemetryProfileFunction[] {
  const names = new Set([...off.keys(), ...on.keys()]);
  return [...names]
    .map((name) => ({ name, offUs: round(off.get(name) ?? 0, 1), onUs: round(on.get(name) ?? 0, 1) }))
    .filter((entry) => entry.name !== '(idle)' && entry.name !== '(program)')
    .sort((a, b) => Math.abs(b.onUs - b.offUs) - Math.abs(a.onUs - a.offUs))
    .slice(0, TOP);
}
