import { metrics, type Counter, type Histogram, type Meter } from '@opentelemetry/api';

/** The instrumentation scope of everything the estate measures. */
export const ESTATE_METER = 'hybrid-estate';

/**
 * The instruments of SECURITY.md O1, created once per process. Labels are bounded: hop (the edge
 * or a NATS subject), result, failure type (the closed enum), outcome; never `jti`, `sub` or a
 * thumbprint. Names follow OpenTelemetry conventions; the Prometheus exporter writes dots as
 * underscores and counters with `_total` (`binding_decisions_total`, `binding_verification_duration_bucket`
 * in milliseconds, `estate_certificate_expires_in` in seconds), each with `otel_scope_name`.
 */
export interface EstateInstruments {
  readonly meter: Meter;
  /** Every decision at the edge and at every hop: {hop, result, failure_type}. */
  readonly decisions: Counter;
  /** How long each check pipeline took: {hop, result}. */
  readonly verificationDuration: Histogram;
  /** Replay-store claims: {hop, outcome: claimed | replayed | full | unavailable}. */
  readonly replayClaims: Counter;
  /** Exchanged-token cache lookups: {result: hit | miss}. */
  readonly exchangeCache: Counter;
  /** Outbound requests (exchange at the STS, call): {stage, subject, result}. */
  readonly outbound: Counter;
}

let instruments: EstateInstruments | undefined;

export function estateInstruments(): EstateInstruments {
  if (instruments !== undefined) return instruments;
  const meter = metrics.getMeter(ESTATE_METER);
  instruments = Object.freeze({
    meter,
    decisions: meter.createCounter('binding.decisions', { description: 'Binding decisions at the edge and at each hop, by hop, result and failure type' }),
    verificationDuration: meter.createHistogram('binding.verification.duration', {
      description: 'Duration of one check pipeline', unit: 'ms',
      advice: { explicitBucketBoundaries: [0.25, 0.5, 1, 2, 4, 8, 16, 32, 64, 128, 256] },
    }),
    replayClaims: meter.createCounter('binding.replay.claims', { description: 'Replay-store claims by outcome (claimed, replayed, full, unavailable)' }),
    exchangeCache: meter.createCounter('binding.exchange_cache.lookups', { description: 'Exchanged-token cache lookups by result (hit, miss)' }),
    outbound: meter.createCounter('binding.outbound.requests', { description: 'Outbound requests (exchange, call) by stage, subject and result' }),
  });
  return instruments;
}
