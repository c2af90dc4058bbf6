import { isIntegerIn } from '#binding/core';
import type { Env } from '../config/env-variables.js';

/** What the standard OTEL_* variables ask for (https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/). */
export interface TelemetrySettings {
  /** Spans are exported (OTLP, or another OTEL_TRACES_EXPORTER): the SDK's tracer provider runs. */
  readonly traces: boolean;
  /** Metrics are pushed over OTLP with the traces. */
  readonly otlpMetrics: 'http/json' | 'http/protobuf' | undefined;
  /** How often OTLP metrics are pushed, in milliseconds (OTEL_METRIC_EXPORT_INTERVAL). */
  readonly metricIntervalMs: number;
}

/** The SDK's default push interval (OTEL_METRIC_EXPORT_INTERVAL). */
export const DEFAULT_METRIC_EXPORT_INTERVAL_MS = 60_000; // milliseconds

/**
 * Reads the standard variables once, at start-up. With none of them set nothing is exported and
 * no exporter runs (the OpenTelemetry SDK would otherwise default to OTLP on localhost:4318):
 * - traces when OTEL_TRACES_EXPORTER names an exporter, or an OTLP endpoint is set
 *   (OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT); the SDK then reads the
 *   protocol (OTEL_EXPORTER_OTLP_PROTOCOL: http/protobuf by default, http/json), the sampler
 *   (OTEL_TRACES_SAMPLER) and the rest itself;
 * - OTLP metrics when an endpoint is set (or OTEL_METRICS_EXPORTER says otlp), over the same
 *   protocol; `grpc` is not supported here (the estate speaks OTLP/HTTP) and falls back to protobuf;
 * - OTEL_SDK_DISABLED=true turns everything off.
 */
export function telemetrySettings(env: Env): TelemetrySettings {
  // Each variable read by its literal name (test/compose checks what compose sets against these reads).
  const value = (raw: string | undefined): string | undefined => {
    const trimmed = raw?.trim();
    return trimmed === undefined || trimmed === '' ? undefined : trimmed;
  };
  if (value(env['OTEL_SDK_DISABLED'])?.toLowerCase() === 'true') return { traces: false, otlpMetrics: undefined, metricIntervalMs: DEFAULT_METRIC_EXPORT_INTERVAL_MS };
  const endpoint = value(env['OTEL_EXPORTER_OTLP_ENDPOINT']);
  const tracesExporter = value(env['OTEL_TRACES_EXPORTER']);
  const traces = tracesExporter !== undefined ? tracesExporter !== 'none' : endpoint !== undefined || value(env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']) !== undefined;
  const metricsExporter = value(env['OTEL_METRICS_EXPORTER']);
  const otlpMetricsOn = metricsExporter !== undefined
    ? metricsExporter.split(',').map((name) => name.trim()).includes('otlp')
    : endpoint !== undefined || value(env['OTEL_EXPORTER_OTLP_METRICS_ENDPOINT']) !== undefined;
  const protocol = value(env['OTEL_EXPORTER_OTLP_METRICS_PROTOCOL']) ?? value(env['OTEL_EXPORTER_OTLP_PROTOCOL']) ?? 'http/protobuf';
  const interval = Number(value(env['OTEL_METRIC_EXPORT_INTERVAL']) ?? DEFAULT_METRIC_EXPORT_INTERVAL_MS);
  return {
    traces,
    otlpMetrics: otlpMetricsOn ? (protocol === 'http/json' ? 'http/json' : 'http/protobuf') : undefined,
    metricIntervalMs: isIntegerIn(interval, 100) ? interval : DEFAULT_METRIC_EXPORT_INTERVAL_MS,
  };
}
