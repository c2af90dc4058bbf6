import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { AppProcess } from './app-process.js';
import { OtlpReceiver, type ReceivedSpan } from './otlp-receiver.js';

/** The Jaeger release `npm run estate -- --jaeger` runs (all-in-one: OTLP in, UI and query API out). */
export const JAEGER_VERSION = '1.75.0';
export const JAEGER_MODULE = 'github.com/jaegertracing/jaeger';
/** Jaeger all-in-one's fixed ports: OTLP/HTTP in, the UI and its query API. */
export const JAEGER_OTLP_HTTP_PORT = 4318;
export const JAEGER_UI_PORT = 16686;
/** A first build downloads and compiles Jaeger's module graph (a large one) on a shared 2-core machine. */
const JAEGER_BUILD_TIMEOUT_MS = 30 * 60_000; // milliseconds

/** One span of a trace, as the walkthrough prints it. */
export interface TraceSpan {
  readonly service: string;
  readonly name: string;
  readonly spanId: string;
  readonly parentSpanId: string;
  readonly startUs: number;
  readonly durationMs: number;
  /** `ok`, `error`, or for a verification span `accepted` / `refused <failure type>`. */
  readonly outcome: string;
}

/** Where the apps send their spans, and how the walkthrough reads a trace back. */
export interface TraceViewer {
  /** What it is, for the report: `Jaeger 1.75.0 (.bin/jaeger)` or the in-process receiver. */
  readonly description: string;
  /** The OTEL_* variables every app gets. */
  readonly env: Readonly<Record<string, string>>;
  /** The page of one trace, when there is a UI. */
  urlOf(traceId: string): string | undefined;
  spans(traceId: string): Promise<TraceSpan[]>;
  stop(): Promise<void>;
}

/** Flush spans quickly: the walkthrough reads its order's trace back a moment later. */
const EXPORT_ENV = { OTEL_BSP_SCHEDULE_DELAY: '200', OTEL_METRIC_EXPORT_INTERVAL: '5000' } as const;

/**
 * O2, "Seeing it": Jaeger all-in-one when asked (`--jaeger`: found, else built from its Go module)
 * or when its binary is found (JAEGER_BIN, .bin/jaeger, PATH); else an OTLP/HTTP receiver in this
 * process (scripts/estate/otlp-receiver.ts) that keeps the spans for the walkthrough's trace tree.
 */
export async function startTraceViewer(options: { readonly jaeger: boolean; readonly root: string; readonly logFile: string; readonly notify: (line: string) => void }): Promise<TraceViewer> {
  let binary = findJaeger(options.root);
  if (binary === undefined && options.jaeger) binary = await buildJaeger(options.root, options.notify);
  if (binary !== undefined) return startJaeger(binary, options.logFile);
  const receiver = await OtlpReceiver.start();
  return {
    description: `the estate's own OTLP/HTTP receiver on ${receiver.endpoint} (no Jaeger binary: npm run estate -- --jaeger builds one)`,
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', ...EXPORT_ENV },
    urlOf: () => undefined,
    spans: async (traceId) => receiver.trace(traceId).map(fromReceived),
    stop: () => receiver.close(),
  };
}

function fromReceived(span: ReceivedSpan): TraceSpan {
  return {
    service: span.service,
    name: span.name,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId,
    startUs: span.startUs,
    durationMs: span.durationMs,
    outcome: outcomeOf(span.attributes, span.status === 2),
  };
}

function outcomeOf(attributes: Readonly<Record<string, unknown>>, error: boolean): string {
  const result = attributes['binding.result'];
  if (result === 'refused') return `refused ${String(attributes['binding.failure_type'] ?? '')}`.trim();
  if (result === 'accepted') return 'accepted';
  return error ? `error${attributes['binding.failure_type'] === undefined ? '' : ` ${String(attributes['binding.failure_type'])}`}` : 'ok';
}

/** JAEGER_BIN, then <root>/.bin/jaeger, then PATH. */
export function findJaeger(root: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = [env['JAEGER_BIN'], join(root, '.bin', 'jaeger'), ...(env['PATH'] ?? '').split(delimiter).filter((dir) => dir !== '').map((dir) => join(dir, 'jaeger'))];
  for (const candidate of candidates) {
    if (candidate === undefined || candidate === '' || !existsSync(candidate)) continue;
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not executable: the next one
    }
  }
  return undefined;
}

/**
 * Builds Jaeger all-in-one v1.75.0 into <root>/.bin/jaeger from its Go module. `go install
 * <module>/cmd/jaeger@v1.75.0` is refused by Go (Jaeger's go.mod has replace directives), so the
 * module is downloaded from the module proxy (`go mod download`) and built in place as the main
 * module (`go build ./cmd/jaeger`), into a temporary file renamed into place when done.
 */
async function buildJaeger(root: string, notify: (line: string) => void): Promise<string | undefined> {
  const binDir = join(root, '.bin');
  await mkdir(binDir, { recursive: true });
  const target = join(binDir, 'jaeger');
  const partial = `${target}.partial-${process.pid}`;
  notify(`building Jaeger ${JAEGER_VERSION} from its Go module into .bin/jaeger (a first build takes minutes)...`);
  try {
    const download = await run('go', ['mod', 'download', '-json', `${JAEGER_MODULE}@v${JAEGER_VERSION}`], root);
    const dir = (JSON.parse(download) as { Dir?: string }).Dir;
    if (dir === undefined) throw new Error('go mod download gave no module folder');
    await run('go', ['build', '-o', partial, './cmd/jaeger'], dir);
    await rename(partial, target);
    notify('built .bin/jaeger');
    return target;
  } catch (error) {
    await rm(partial, { force: true });
    notify(`Jaeger was not built (${error instanceof Error ? error.message.split('\n')[0] : String(error)}); using the estate's own receiver`);
    return undefined;
  }
}

function run(command: string, args: readonly string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, GOFLAGS: '-mod=mod' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let errors = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), JAEGER_BUILD_TIMEOUT_MS);
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (errors = (errors + chunk.toString()).slice(-2_000)));
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code}: ${errors.trim()}`));
    });
  });
}

/** Jaeger all-in-one with its default configuration: in-memory storage, OTLP on 4317/4318, UI on 16686. */
async function startJaeger(binary: string, logFile: string): Promise<TraceViewer> {
  const ui = `http://localhost:${JAEGER_UI_PORT}`;
  const process_ = new AppProcess({ name: 'jaeger', main: binary, env: {}, ready: { url: `${ui}/` }, logFile, spawn: (_command, args, spawnOptions) => spawn(binary, args.slice(1), spawnOptions) });
  await process_.start();
  return {
    description: `Jaeger all-in-one (${binary}), UI ${ui}`,
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: `http://localhost:${JAEGER_OTLP_HTTP_PORT}`, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_METRICS_EXPORTER: 'none', ...EXPORT_ENV },
    urlOf: (traceId) => `${ui}/trace/${traceId}`,
    async spans(traceId) {
      const response = await fetch(`${ui}/api/traces/${traceId}`);
      if (!response.ok) return [];
      const body = (await response.json()) as { data?: JaegerTrace[] };
      return (body.data ?? []).flatMap(fromJaeger);
    },
    stop: async () => void (await process_.stop()),
  };
}

interface JaegerTrace {
  readonly spans: { spanID: string; operationName: string; references?: { refType: string; spanID: string }[]; startTime: number; duration: number; processID: string; tags?: { key: string; value: unknown }[] }[];
  readonly processes: Record<string, { serviceName: string }>;
}

function fromJaeger(trace: JaegerTrace): TraceSpan[] {
  return trace.spans.map((span) => {
    const tags = Object.fromEntries((span.tags ?? []).map((tag) => [tag.key, tag.value]));
    return {
      service: trace.processes[span.processID]?.serviceName ?? '?',
      name: span.operationName,
      spanId: span.spanID,
      parentSpanId: span.references?.find((reference) => reference.refType === 'CHILD_OF')?.spanID ?? '',
      startUs: span.startTime,
      durationMs: span.duration / 1000,
      outcome: outcomeOf(tags, tags['otel.status_code'] === 'ERROR' || tags['error'] === true),
    };
  });
}

/**
 * The trace as an indented tree, one span a line: service, span, duration, outcome; children in
 * the order they started.
 */
export function renderTraceTree(spans: readonly TraceSpan[]): string[] {
  const ids = new Set(spans.map((span) => span.spanId));
  const children = new Map<string, TraceSpan[]>();
  for (const span of spans) {
    const parent = ids.has(span.parentSpanId) ? span.parentSpanId : '';
    children.set(parent, [...(children.get(parent) ?? []), span]);
  }
  const lines: string[] = [];
  const walk = (parent: string, depth: number): void => {
    const ordered = [...(children.get(parent) ?? [])].sort((a, b) => a.startUs - b.startUs);
    for (const span of ordered) {
      lines.push(`${'  '.repeat(depth)}${span.service.padEnd(10)} ${span.name.padEnd(Math.max(8, 28 - depth * 2))} ${span.durationMs.toFixed(1).padStart(7)} ms  ${span.outcome}`);
      walk(span.spanId, depth + 1);
    }
  };
  walk('', 0);
  return lines;
}
