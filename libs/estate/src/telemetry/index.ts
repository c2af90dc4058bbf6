// libs/estate's telemetry (issue 12, SECURITY.md O1-O4), re-exported from libs/estate/src/index.ts.
export { AUDIT_SCHEMA, AuditLog, stdoutAuditSink, type AuditEvent, type AuditFields, type AuditLine, type AuditSink } from './audit-log.js';
export { auditOnlyObserver, bindingTelemetry, ESTATE_TRACER, outboundTelemetry, revocationTelemetry, UNKNOWN_CALLER, VerificationAttributes } from './binding-telemetry.js';
export { ESTATE_METER, estateInstruments, TalliedCounter, type EstateInstruments } from './estate-instruments.js';
export { observedReplayStore } from './observed-replay-store.js';
export { rememberRequestSpan } from './request-spans.js';
export { startTelemetry, type StartTelemetryOptions, type Telemetry } from './start-telemetry.js';
export { DEFAULT_METRIC_EXPORT_INTERVAL_MS, telemetrySettings, type TelemetrySettings } from './telemetry-settings.js';
export { TracedServerNats } from './traced-server-nats.js';
export { observeRevocationsInForce, observeWorkload, resetWorkloadTelemetry, startWorkloadTelemetry, telemetryExporting, workloadTelemetry, type WorkloadTelemetry } from './workload-telemetry.js';
export { startAppTelemetry, startHttpAppOperations } from './app-telemetry.js';
