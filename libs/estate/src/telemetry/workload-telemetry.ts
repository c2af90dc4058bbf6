import type { ValueType } from '@opentelemetry/api';
import type { BindingObserver, OutboundObserver, RevocationObserver } from '#binding';
import type { Env } from '../config/env-variables.js';
import type { TlsIdentity } from '../config/tls-identity.js';
import type { WorkloadIdentity } from '../workload/workload-identity.js';
import { AuditLog, stdoutAuditSink } from './audit-log.js';
import { auditOnlyObserver, bindingTelemetry, outboundTelemetry, revocationTelemetry } from './binding-telemetry.js';
import { estateInstruments } from './estate-instruments.js';
import { startTelemetry, type StartTelemetryOptions, type Telemetry } from './start-telemetry.js';

/** Everything a workload observes with (O1-O4), one per process. */
export interface WorkloadTelemetry {
  readonly telemetry: Telemetry;
  readonly audit: AuditLog;
  /** For BindingModuleOptions.observer. */
  readonly binding: BindingObserver;
  /** For the outbound client's `observer`. */
  readonly outbound: OutboundObserver;
  /** For the revocation feed's `observer`: the lag from publish to applied (O1). */
  readonly revocations: RevocationObserver;
}

let current: WorkloadTelemetry | undefined;
/** Whether the started telemetry exports anything (traces, OTLP metrics or Prometheus text). */
let exporting: boolean | undefined;

/**
 * Starts the process's telemetry once (startTelemetry: the SDK per the OTEL_* variables) and the
 * audit log (stdout; AUDIT_LOG=off for none). Call it first in an app's main(); later calls
 * return the same. Without the call (tests that build apps in-process, the bench), the observers
 * of `workloadTelemetry()` use the OpenTelemetry API as it is: no-ops until an SDK is registered.
 */
export function startWorkloadTelemetry(service: string, env: Env, options: StartTelemetryOptions = {}): WorkloadTelemetry {
  if (current !== undefined) return current;
  const telemetry = startTelemetry(service, env, options);
  const audit = new AuditLog(service, env['AUDIT_LOG']?.trim().toLowerCase() === 'off' ? null : stdoutAuditSink);
  exporting = telemetry.settings.traces || telemetry.settings.otlpMetrics !== undefined || telemetry.prometheus !== undefined;
  // Nothing exported (no OTEL_* variable, no OPS_PORT): audit lines only, no work per request for
  // spans and metrics no one would read; the outbound client then sends no trace headers.
  current = exporting
    ? Object.freeze({ telemetry, audit, binding: bindingTelemetry(audit), outbound: outboundTelemetry(), revocations: revocationTelemetry(service) })
    : Object.freeze({ telemetry, audit, binding: auditOnlyObserver(audit), outbound: Object.freeze({}), revocations: Object.freeze({ applied: () => undefined }) });
  return current;
}

/**
 * Whether the process's started telemetry exports anything; undefined before it is started (then
 * an SDK may still be registered, by a test: observe as if it would be).
 */
export function telemetryExporting(): boolean | undefined {
  return exporting;
}

/**
 * The process's telemetry: the one started, or observers over the API as it is (see above) with a
 * silent audit log: audit lines are written once the process has started its telemetry, as every
 * app's main() does (apps built in-process by tests write none).
 */
export function workloadTelemetry(service: string): WorkloadTelemetry {
  if (current !== undefined) return current;
  const audit = new AuditLog(service, null);
  return Object.freeze({
    telemetry: Object.freeze({ settings: { traces: false, otlpMetrics: undefined, metricIntervalMs: 0 }, serviceName: service, prometheus: undefined, shutdown: async () => undefined }),
    audit,
    binding: bindingTelemetry(audit),
    outbound: outboundTelemetry(),
    revocations: revocationTelemetry(service),
  });
}

/** Forgets the process's telemetry (tests). */
export function resetWorkloadTelemetry(): void {
  current = undefined;
  exporting = undefined;
}

/**
 * O1, O3 for a workload's certificate: `estate.certificate.expires_in` (seconds until the one in
 * use expires, {workload}) and, on each renewal the identity accepts, an audit line
 * `certificate_rotated` with the new thumbprint and end of validity; `revocations.size`, when
 * given, as `binding.revocations.in_force`.
 */
export function observeWorkload(workload: string, spiffeId: string, identity: WorkloadIdentity, audit: AuditLog, revocations?: { readonly size: number }): void {
  const { meter } = estateInstruments();
  meter
    .createObservableGauge('estate.certificate.expires_in', { description: 'Seconds until the workload certificate in use expires', unit: 's', valueType: 1 as ValueType })
    .addCallback((result) => result.observe(Math.round((identity.current.notAfter.getTime() - Date.now()) / 1000), { workload }));
  if (revocations !== undefined) observeRevocationsInForce(workload, revocations);
  identity.watcher.subscribe((renewed: TlsIdentity) => {
    audit.record('certificate_rotated', { caller: spiffeId, thumbprint: identity.signer.certificateThumbprint, not_after: renewed.notAfter.toISOString() });
  });
}

/**
 * O1: `binding.revocations.in_force` {workload}, the size of the workload's revocation list (the
 * edge's own list, which is not on its estate link, is registered with this directly).
 */
export function observeRevocationsInForce(workload: string, revocations: { readonly size: number }): void {
  estateInstruments()
    .meter.createObservableGauge('binding.revocations.in_force', { description: 'Revocations in force (jti, sub, cert)', valueType: 1 as ValueType })
    .addCallback((result) => result.observe(revocations.size, { workload }));
}

export type { Env };
