import { metrics, type Attributes, type Histogram, type Meter, type MetricOptions } from '@opentelemetry/api';

/**
 * A monotonic counter tallied in a Map and reported through an ObservableCounter when a reader
 * collects: one Map update per event, where the SDK's synchronous Counter hashes the attributes
 * once per reader on every add (the order flow paid for it: bench telemetry_overhead). Its label
 * sets are bounded (the callers' keys are hops, results and enum members), so is the Map.
 */
export class TalliedCounter {
  readonly #counts = new Map<string, { readonly attributes: Attributes; value: number }>();

  constructor(meter: Meter, name: string, options: MetricOptions) {
    meter.createObservableCounter(name, options).addCallback((result) => {
      for (const { attributes, value } of this.#counts.values()) result.observe(value, attributes);
    });
  }

  /** Counts one event under `key`; `attributes` is called only the first time a key is seen. */
  add(key: string, attributes: () => Attributes): void {
    const entry = this.#counts.get(key);
    if (entry !== undefined) entry.value += 1;
    else this.#counts.set(key, { attributes: Object.freeze(attributes()), value: 1 });
  }
}

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
  readonly decisions: TalliedCounter;
  /** How long each check pipeline took: {hop, result}. */
  readonly verificationDuration: Histogram;
  /** Replay-store claims: {hop, outcome: claimed | replayed | full | unavailable}. */
  readonly replayClaims: TalliedCounter;
  /** Exchanged-token cache lookups: {result: hit | miss}. */
  readonly exchangeCache: TalliedCounter;
  /** Outbound requests (exchange at the STS, call): {stage, subject, result}. */
  readonly outbound: TalliedCounter;
  /** From a revocation's publish to its being in force in this workload, ms: {workload, source: live | stream}. */
  readonly revocationLag: Histogram;
}

let instruments: EstateInstruments | undefined;

export function estateInstruments(): EstateInstruments {
  if (instruments !== undefined) return instruments;
  const meter = metrics.getMeter(ESTATE_METER);
  instruments = Object.freeze({
    meter,
    decisions: new TalliedCounter(meter, 'binding.decisions', { description: 'Binding decisions at the edge and at each hop, by hop, result and failure type' }),
    verificationDuration: meter.createHistogram('binding.verification.duration', {
      description: 'Duration of one check pipeline', unit: 'ms',
      advice: { explicitBucketBoundaries: [0.25, 0.5, 1, 2, 4, 8, 16, 32, 64, 128, 256] },
    }),
    replayClaims: new TalliedCounter(meter, 'binding.replay.claims', { description: 'Replay-store claims by outcome (claimed, replayed, full, unavailable)' }),
    exchangeCache: new TalliedCounter(meter, 'binding.exchange_cache.lookups', { description: 'Exchanged-token cache lookups by result (hit, miss)' }),
    outbound: new TalliedCounter(meter, 'binding.outbound.requests', { description: 'Outbound requests (exchange, call) by stage, subject and result' }),
    revocationLag: meter.createHistogram('binding.revocation.lag', {
      description: 'From a revocation\'s publish to its being applied by the workload (live: heard as published; stream: replayed at start-up or after a reconnect)',
      unit: 'ms',
      advice: { explicitBucketBoundaries: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000, 300_000, 3_600_000] },
    }),
  });
  return instruments;
}
