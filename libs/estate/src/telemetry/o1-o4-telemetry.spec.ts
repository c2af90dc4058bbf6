import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { ROOT_CONTEXT, createContextKey } from '@opentelemetry/api';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { FailureType, MemoryReplayStore } from '#binding';
import { AUDIT_SCHEMA, AuditLog } from './audit-log.js';
import { auditOnlyObserver } from './binding-telemetry.js';
import { observedReplayStore } from './observed-replay-store.js';
import { SyncContextManager } from './sync-context-manager.js';
import { DEFAULT_METRIC_EXPORT_INTERVAL_MS, telemetrySettings } from './telemetry-settings.js';
import { resetWorkloadTelemetry, startWorkloadTelemetry, telemetryExporting } from './workload-telemetry.js';

const schema = JSON.parse(readFileSync(new URL('./audit-line.schema.json', import.meta.url), 'utf8')) as object;
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);

function linesOf(record: (audit: AuditLog) => void): Record<string, unknown>[] {
  const lines: string[] = [];
  record(new AuditLog('orders', (line) => lines.push(line)));
  return lines.map((line) => {
    expect(line.endsWith('\n')).toBe(true);
    expect(line.indexOf('\n')).toBe(line.length - 1); // one line each
    return JSON.parse(line) as Record<string, unknown>;
  });
}

const THUMBPRINT = 'pcbF9bGGLumSxXk0Hw2lKqR1b2ZlJ0m0uYV7a4VmX2E';

describe('telemetrySettings (O1, O2: the standard OTEL_* variables)', () => {
  it('O1, O2: with nothing set, nothing is exported: no traces, no OTLP metrics', () => {
    expect(telemetrySettings({})).toEqual({ traces: false, otlpMetrics: undefined, metricIntervalMs: DEFAULT_METRIC_EXPORT_INTERVAL_MS });
  });

  it('O2: an OTLP endpoint turns traces and metrics on, over http/protobuf by default or http/json', () => {
    expect(telemetrySettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' })).toMatchObject({ traces: true, otlpMetrics: 'http/protobuf' });
    expect(telemetrySettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' })).toMatchObject({ otlpMetrics: 'http/json' });
    // Signal-specific endpoints, as compose sets them (traces to Jaeger, metrics to Prometheus).
    expect(telemetrySettings({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://jaeger:4318/v1/traces' })).toMatchObject({ traces: true, otlpMetrics: undefined });
    expect(telemetrySettings({ OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://prometheus:9090/api/v1/otlp/v1/metrics' })).toMatchObject({ traces: false, otlpMetrics: 'http/protobuf' });
  });

  it('O2: OTEL_SDK_DISABLED and the exporters set to none win over an endpoint; an odd interval falls back', () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' };
    expect(telemetrySettings({ ...endpoint, OTEL_SDK_DISABLED: 'true' })).toMatchObject({ traces: false, otlpMetrics: undefined });
    expect(telemetrySettings({ ...endpoint, OTEL_TRACES_EXPORTER: 'none', OTEL_METRICS_EXPORTER: 'none' })).toMatchObject({ traces: false, otlpMetrics: undefined });
    expect(telemetrySettings({ ...endpoint, OTEL_METRIC_EXPORT_INTERVAL: 'soon' }).metricIntervalMs).toBe(DEFAULT_METRIC_EXPORT_INTERVAL_MS);
    expect(telemetrySettings({ ...endpoint, OTEL_METRIC_EXPORT_INTERVAL: '500' }).metricIntervalMs).toBe(500);
  });
});

describe('AuditLog (O3: one JSON line per refusal and per privileged action)', () => {
  it('O3: a refusal and each privileged action are one line each, valid against audit-line.schema.json', () => {
    const lines = linesOf((audit) => {
      audit.record('refusal', { trace_id: '0af7651916cd43dd8448eb211c80319c', hop: 'orders.create', caller: 'spiffe://estate.local/edge', failure_type: 'token_signature', code: 'invalid_token', jti_hash: THUMBPRINT, thumbprint: THUMBPRINT });
      audit.record('certificate_rotated', { caller: 'spiffe://estate.local/orders', thumbprint: THUMBPRINT, not_after: '2026-12-03T12:00:00.000Z' });
      audit.record('signing_key_rotated', { caller: 'spiffe://estate.local/sts', kid: 'k-2026-12-03' });
      audit.record('revocation_published', { caller: 'spiffe://estate.local/admin', revocation_kind: 'sub', revocation_value_hash: THUMBPRINT, until: 1_800_000_000 });
    });
    expect(lines.map((line) => line['event'])).toEqual(['refusal', 'certificate_rotated', 'signing_key_rotated', 'revocation_published']);
    for (const line of lines) {
      expect({ line, valid: validate(line), errors: validate.errors }).toMatchObject({ valid: true });
      expect(line).toMatchObject({ schema: AUDIT_SCHEMA, service: 'orders', time: expect.stringMatching(/Z$/) });
    }
  });

  it('O3: the schema bites: a token in a member, an unknown member or a wrong event are refused', () => {
    const [line] = linesOf((audit) => audit.record('refusal', { hop: 'edge', failure_type: 'confirmation_mismatch', code: 'invalid_token' }));
    expect(validate(line)).toBe(true);
    expect(validate({ ...line, token: 'eyJhbGciOiJFUzI1NiJ9.e30.x' })).toBe(false);
    expect(validate({ ...line, jti_hash: 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln' })).toBe(false);
    expect(validate({ ...line, event: 'login' })).toBe(false);
  });

  it('O3: empty members are left out; an audit sink that throws does not throw into the request', () => {
    const [line] = linesOf((audit) => audit.record('refusal', { hop: 'edge', caller: undefined, jti_hash: '' }));
    expect(Object.keys(line!).sort()).toEqual(['event', 'hop', 'schema', 'service', 'time']);
    expect(() => new AuditLog('edge', () => { throw new Error('disk full'); }).record('refusal', { hop: 'edge' })).not.toThrow();
  });
});

describe('observedReplayStore (O1: replay claims by outcome)', () => {
  it('O1: passes claims through unchanged: first use claimed, second refused, a full store still rejects', async () => {
    const store = observedReplayStore(new MemoryReplayStore({ maxEntries: 1, maxEntriesPerScope: 1 }), 'orders');
    await expect(store.claim('sender', 'jti-1', 60)).resolves.toBe(true);
    await expect(store.claim('sender', 'jti-1', 60)).resolves.toBe(false);
    await expect(store.claim('sender', 'jti-2', 60)).rejects.toThrow();
  });
});

describe('nothing set (O1, O2: no OTEL_* variable, no OPS_PORT)', () => {
  it('O1-O3: audit lines only: no observer work per request, no trace headers sent, the replay store as it is', async () => {
    resetWorkloadTelemetry();
    try {
      const started = startWorkloadTelemetry('orders', { AUDIT_LOG: 'off' });
      expect(telemetryExporting()).toBe(false);
      expect(started.telemetry.prometheus).toBeUndefined();
      // The outbound client asks an observer without `request` for nothing: no span, no traceparent.
      expect(started.outbound.request).toBeUndefined();
      expect(started.outbound.exchangeCache).toBeUndefined();
      const store = new MemoryReplayStore({ maxEntries: 10, maxEntriesPerScope: 10 });
      expect(observedReplayStore(store, 'orders')).toBe(store);
    } finally {
      resetWorkloadTelemetry();
    }
    expect(telemetryExporting()).toBeUndefined();
  });

  it('O3: a refusal is still one audit line (caller unknown when refused before the certificate), an acceptance none', () => {
    const lines = linesOf((audit) => {
      const observer = auditOnlyObserver(audit);
      observer.decision({ hop: 'orders.create', result: 'accepted', durationMs: 1, callerSpiffeId: 'spiffe://estate.local/edge' });
      observer.decision({ hop: 'orders.create', result: 'refused', failureType: FailureType.MissingProof, code: 'invalid_request', durationMs: 1 });
      observer.decision({ hop: 'orders.create', result: 'refused', failureType: FailureType.TokenSignature, code: 'invalid_token', durationMs: 1, callerSpiffeId: 'spiffe://estate.local/edge', thumbprint: THUMBPRINT });
      observer.decision({ hop: 'edge', result: 'refused', failureType: FailureType.ConfirmationMismatch, code: 'invalid_token', durationMs: 1 });
    });
    expect(lines).toEqual([
      expect.objectContaining({ event: 'refusal', hop: 'orders.create', failure_type: 'missing_proof', caller: 'unknown' }),
      expect.objectContaining({ event: 'refusal', hop: 'orders.create', failure_type: 'token_signature', caller: 'spiffe://estate.local/edge', thumbprint: THUMBPRINT }),
      expect.objectContaining({ event: 'refusal', hop: 'edge', failure_type: 'confirmation_mismatch' }),
    ]);
    // At the edge the caller is an HTTP client: no SPIFFE ID, and no `unknown` either.
    expect(lines[2]!['caller']).toBeUndefined();
    for (const line of lines) expect({ line, valid: validate(line), errors: validate.errors }).toMatchObject({ valid: true });
  });
});

describe('SyncContextManager (O2 without AsyncLocalStorage)', () => {
  it('keeps a context for the synchronous extent of with() only, nested and restored, also on a throw', () => {
    const manager = new SyncContextManager();
    const key = createContextKey('k');
    const outer = ROOT_CONTEXT.setValue(key, 'outer');
    const inner = ROOT_CONTEXT.setValue(key, 'inner');
    const seen = manager.with(outer, () => [manager.active().getValue(key), manager.with(inner, () => manager.active().getValue(key)), manager.active().getValue(key)]);
    expect(seen).toEqual(['outer', 'inner', 'outer']);
    expect(() => manager.with(inner, () => { throw new Error('x'); })).toThrow('x');
    expect(manager.active()).toBe(ROOT_CONTEXT);
    const bound = manager.bind(outer, () => manager.active().getValue(key));
    expect(bound()).toBe('outer');
  });
});

describe('AuditLog sinks', () => {
  it('O3: null is no sink at all (AUDIT_LOG=off), not the default one', () => {
    const written: string[] = [];
    const original = process.stdout.write.bind(process.stdout);
    (process.stdout as { write: unknown }).write = (chunk: string) => written.push(chunk) > 0;
    try {
      new AuditLog('edge', null).record('refusal', { hop: 'edge' });
    } finally {
      (process.stdout as { write: unknown }).write = original;
    }
    expect(written).toEqual([]);
  });
});
