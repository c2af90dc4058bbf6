import { createRequire } from 'node:module';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createNoopMeter } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPMetricExporter as JsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtobufMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { AggregationType, PeriodicExportingMetricReader, type MetricReader } from '@opentelemetry/sdk-metrics';
import { NodeSDK } from '@opentelemetry/sdk-node';
import type { Env } from '../config/env-variables.js';
import { ESTATE_METER } from './estate-instruments.js';
import { rememberRequestSpan } from './request-spans.js';
import { SyncContextManager } from './sync-context-manager.js';
import { telemetrySettings, type TelemetrySettings } from './telemetry-settings.js';

/** Paths of the operations port and probes: not worth a span each. */
const UNTRACED_PATHS = new Set(['/metrics', '/healthz', '/readyz']);

export interface Telemetry {
  readonly settings: TelemetrySettings;
  /** The name spans and metrics carry as `service.name` (OTEL_SERVICE_NAME wins). */
  readonly serviceName: string;
  /** Prometheus text for `/metrics` (O1) on the operations port; absent when metrics are off. */
  readonly prometheus: ((request: IncomingMessage, response: ServerResponse) => void) | undefined;
  /** Flushes what is pending and stops the exporters. */
  shutdown(): Promise<void>;
}

export interface StartTelemetryOptions {
  /** Serve Prometheus text (an operations port exists). */
  readonly prometheus?: boolean;
  /**
   * Trace the HTTP server (the edge, the auth server). Off for the NATS workloads: the
   * instrumentation hooks every `require` of the process (require-in-the-middle), which cost the
   * order flow some 8 % of its throughput where no request is HTTP (bench telemetry_overhead).
   */
  readonly http?: boolean;
}

/**
 * SECURITY.md O1, O2: starts the OpenTelemetry Node SDK for one app, configured by the standard
 * OTEL_* variables (telemetrySettings): the HTTP server instrumentation (the edge's and the auth
 * server's requests become SERVER spans), the exporters the variables name, and the Prometheus
 * reader behind the operations port's `/metrics`. With no variable set and no operations port,
 * the SDK is not started at all: the API stays the no-op one and costs next to nothing.
 * Call it first in main(): the http instrumentation patches `http.Server.prototype.emit`, so every
 * server (Fastify's, Express's, the operations server) is traced whenever it was created; `http`
 * and `https` are required once here so the patch lands even if they were loaded before (in native
 * ESM, `node:http` is not passed through the require hook the SDK installs).
 */
export function startTelemetry(service: string, env: Env, options: StartTelemetryOptions = {}): Telemetry {
  const settings = telemetrySettings(env);
  const serviceName = env['OTEL_SERVICE_NAME']?.trim() || service;
  const prometheus = options.prometheus === true ? new PrometheusExporter({ preventServerStart: true }) : undefined;
  const readers: MetricReader[] = [];
  if (prometheus !== undefined) readers.push(prometheus);
  if (settings.otlpMetrics !== undefined) {
    const exporter = settings.otlpMetrics === 'http/json' ? new JsonMetricExporter() : new ProtobufMetricExporter();
    readers.push(new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: settings.metricIntervalMs }));
  }
  if (!settings.traces && readers.length === 0) {
    return Object.freeze({ settings, serviceName, prometheus: undefined, shutdown: async () => undefined });
  }
  const http = settings.traces && options.http === true && !disabledInstrumentations(env).includes('http')
    ? new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) => UNTRACED_PATHS.has((request.url ?? '').split('?')[0]!),
        ignoreOutgoingRequestHook: () => true,
        // The server span by its request, for the guard's verification span and the calls onward.
        // (Outgoing requests are ignored, so `request` is the server's IncomingMessage.)
        requestHook: (span, request) => rememberRequestSpan(request, span),
      })
    : undefined;
  const sdk = new NodeSDK({
    serviceName,
    autoDetectResources: false,
    // OTEL_NODE_DISABLED_INSTRUMENTATIONS=http (as @opentelemetry/auto-instrumentations-node reads it) leaves HTTP untraced.
    instrumentations: http === undefined ? [] : [http],
    // Spans are parented explicitly (request-spans.ts); no AsyncLocalStorage tax on every promise.
    contextManager: new SyncContextManager(),
    // The W3C trace context only, unless OTEL_PROPAGATORS asks otherwise (the SDK then reads it):
    // the NATS hops carry nothing else (the hop proof covers traceparent and tracestate, `oth`),
    // and the default's baggage propagator would only add work to every request.
    ...(env['OTEL_PROPAGATORS']?.trim() ? {} : { textMapPropagator: new W3CTraceContextPropagator() }),
    metricReaders: readers,
    // The http instrumentation's own request metrics are dropped: the estate counts what matters
    // (binding.decisions, binding.verification.duration). The view keeps them out of every reader;
    // the instrumentation is also handed a no-op meter below, so a request does not even record.
    // The estate's own instruments: one view, so each has one storage whatever the readers
    // (without a view the SDK keeps one per reader, Prometheus and OTLP, and hashes each
    // sample's attributes once per storage); aggregations as each instrument advises.
    views: [
      { meterName: '@opentelemetry/instrumentation-http', aggregation: { type: AggregationType.DROP } },
      { meterName: ESTATE_METER },
    ],
    // No traces asked for: an empty list keeps the SDK from defaulting to OTLP on localhost.
    ...(settings.traces ? {} : { spanProcessors: [] }),
    logRecordProcessors: [],
  });
  sdk.start();
  if (http !== undefined) {
    // After start (which hands every instrumentation the SDK's meter provider): a dropped
    // histogram still costs the SDK an attribute hash or two per request; a no-op meter none.
    http.setMeterProvider({ getMeter: () => createNoopMeter() });
    const require = createRequire(import.meta.url);
    require('node:http');
    require('node:https');
  }
  let stopped: Promise<void> | undefined;
  return Object.freeze({
    settings,
    serviceName,
    prometheus: prometheus === undefined ? undefined : (request: IncomingMessage, response: ServerResponse) => prometheus.getMetricsRequestHandler(request, response),
    shutdown: () => (stopped ??= sdk.shutdown().catch(() => undefined)),
  });
}

function disabledInstrumentations(env: Env): string[] {
  return (env['OTEL_NODE_DISABLED_INSTRUMENTATIONS'] ?? '').split(',').map((name) => name.trim()).filter((name) => name !== '');
}
