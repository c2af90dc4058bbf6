import { fileURLToPath } from 'node:url';

/**
 * `telemetry_direct` (issue 12 §5), one process per mode: the CPU the estate's telemetry code itself
 * spends on one hop message, away from the order flow (no NATS, no Nest, no other process). One
 * "message" is what orders' telemetry does per order:
 * - the CONSUMER span, its parent extracted from the message's `traceparent`;
 * - one replay-claim count;
 * - the guard's decision: a count, a latency sample and the verification span (bindingTelemetry);
 * - the call onward: a PRODUCER span whose trace context is injected (outboundTelemetry), its count;
 * - both spans ended.
 * Modes: `off` (no SDK: the API's no-ops, as an estate without OTEL_*), `unsampled` (the SDK with
 * the always_off sampler: counts and samples, spans that do not record), `recorded` (every span
 * recorded and exported over OTLP/HTTP protobuf to OTEL_EXPORTER_OTLP_ENDPOINT). The CPU of the
 * trailing export (shutdown flushes it) is counted.
 * Warm or cold: with `evictKiB` > 0, each measured message is preceded by a write to every cache
 * line of a buffer that size, so the message finds its code and data evicted, as in the order flow,
 * where the broker, the other apps and this app's own work run on the same core between two of its
 * messages. The eviction's own CPU is in every mode's figure: compare modes at the same `evictKiB`.
 * Prints one JSON line: { mode, messages, evictKiB, cpuMicrosPerMessage }.
 */
export type TelemetryDirectMode = 'off' | 'unsampled' | 'recorded';

export interface TelemetryDirectResult {
  readonly mode: TelemetryDirectMode;
  readonly messages: number;
  /** KiB written between two measured messages; 0: none (warm). */
  readonly evictKiB: number;
  readonly cpuMicrosPerMessage: number;
}

const WARMUP_MESSAGES = 20_000;
/** Yield to the event loop every so often, so the batch processor's exports run as they would. */
const YIELD_EVERY = 1_000;
const CACHE_LINE_BYTES = 64;
/** Largest accepted `evictKiB`: 64 MiB, beyond any cache this could mean. */
const MAX_EVICT_KIB = 65_536;

async function main(mode: TelemetryDirectMode, messages: number, evictKiB: number): Promise<TelemetryDirectResult> {
  const endpoint = process.env['OTEL_EXPORTER_OTLP_ENDPOINT'];
  if (mode !== 'off' && endpoint === undefined) throw new Error('telemetry-direct: OTEL_EXPORTER_OTLP_ENDPOINT is required');
  // The SDK reads its sampler from the process environment; the estate's settings from `env`.
  if (mode === 'off') delete process.env['OTEL_EXPORTER_OTLP_ENDPOINT'];
  if (mode === 'unsampled') process.env['OTEL_TRACES_SAMPLER'] = 'always_off';
  const api = await import('@opentelemetry/api');
  const { AuditLog, bindingTelemetry, ESTATE_TRACER, estateInstruments, outboundTelemetry, rememberRequestSpan, startTelemetry } = await import('#estate');
  const telemetry = startTelemetry('orders', process.env, { prometheus: mode !== 'off' });
  const binding = bindingTelemetry(new AuditLog('orders', null));
  const outbound = outboundTelemetry();
  const tracer = api.trace.getTracer(ESTATE_TRACER);
  const { replayClaims } = estateInstruments();
  const getter = { keys: () => ['traceparent'], get: (carrier: Record<string, string>, key: string) => carrier[key] };
  const consumer = { kind: api.SpanKind.CONSUMER };
  const claimed = () => ({ hop: 'orders.create', outcome: 'claimed' });

  const message = (index: number): void => {
    // A new trace per message, sampled by its sender (the flags say so), as the edge sends them.
    const headers: Record<string, string> = { traceparent: `00-${(index + 1).toString(16).padStart(32, '0')}-00f067aa0ba902b7-01` };
    const request = { getHeaders: () => headers };
    const token = {};
    const span = tracer.startSpan('process orders.create', consumer, api.propagation.extract(api.ROOT_CONTEXT, headers, getter));
    rememberRequestSpan(headers, span);
    if (span.isRecording()) {
      span.setAttributes({ 'messaging.system': 'nats', 'messaging.destination.name': 'orders.create', 'messaging.operation.type': 'process', 'messaging.message.body.size': 320 });
    }
    if (mode !== 'off') replayClaims.add('orders.create claimed', claimed);
    binding.decision({
      hop: 'orders.create', result: 'accepted', durationMs: 0.4, request, onBehalfOf: token,
      callerSpiffeId: 'spiffe://estate.local/edge', thumbprint: 'bench-thumbprint', jtiHash: 'bench-jti-hash', actorChain: ['spiffe://estate.local/edge'],
    });
    outbound.request?.({ subject: 'inventory.reserve', stage: 'call', audience: 'inventory', onBehalfOf: token })?.end({ result: 'ok' });
    span.end();
  };
  const evicted = new Uint8Array(evictKiB * 1024);
  const evict = (): void => {
    for (let offset = 0; offset < evicted.length; offset += CACHE_LINE_BYTES) evicted[offset]! += 1;
  };
  const run = async (count: number, cold: boolean): Promise<void> => {
    for (let index = 0; index < count; index++) {
      if (cold) evict();
      message(index);
      if (index % YIELD_EVERY === YIELD_EVERY - 1) await new Promise((resolve) => setImmediate(resolve));
    }
  };
  await run(WARMUP_MESSAGES, false);
  for (let pass = 0; pass < 100 && evictKiB > 0; pass++) evict(); // compiled before it is measured
  const before = process.cpuUsage();
  await run(messages, evictKiB > 0);
  await telemetry.shutdown(); // the spans still batched are exported: their CPU is this run's
  const used = process.cpuUsage(before);
  return { mode, messages, evictKiB, cpuMicrosPerMessage: Math.round(((used.user + used.system) / messages) * 100) / 100 };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const mode = process.argv[2];
  const messages = Number(process.argv[3] ?? 100_000);
  const evictKiB = Number(process.argv[4] ?? 0);
  if ((mode !== 'off' && mode !== 'unsampled' && mode !== 'recorded') || !Number.isSafeInteger(messages) || messages < 1 || !Number.isSafeInteger(evictKiB) || evictKiB < 0 || evictKiB > MAX_EVICT_KIB) {
    process.stderr.write(`usage: telemetry-direct.js off|unsampled|recorded [messages >= 1] [evictKiB 0-${MAX_EVICT_KIB}]\n`);
    process.exitCode = 64;
  } else {
    main(mode, messages, evictKiB).then(
      (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
      (error: unknown) => {
        process.stderr.write(`telemetry-direct: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exitCode = 1;
      },
    );
  }
}
