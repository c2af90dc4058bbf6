import { context, propagation, SpanKind, SpanStatusCode, trace, type Attributes, type Context } from '@opentelemetry/api';
import type { BindingDecision, BindingObserver, OutboundObserver, RevocationObserver } from '#binding';
import type { AuditFields, AuditLog } from './audit-log.js';
import { estateInstruments } from './estate-instruments.js';
import { requestSpanOf } from './request-spans.js';

/**
 * The context outbound requests are made in, by the SubjectToken a handler calls with (the guard's
 * decision names it `onBehalfOf`, the outbound client reports it): the span of the request that
 * token came with. Weak: it goes with the token.
 */
const onBehalfOfContexts = new WeakMap<object, Context>();

/** What the outbound client tells its observer of one request, and what it takes back (OutboundObserver). */
type OutboundRequestInfo = Parameters<NonNullable<OutboundObserver['request']>>[0];
type OutboundObservation = NonNullable<ReturnType<NonNullable<OutboundObserver['request']>>>;
/** What the revocation feed tells its observer of each revocation it put in force (RevocationObserver). */
type RevocationApplied = Parameters<RevocationObserver['applied']>[0];

/** The tracer of the estate's own spans (verification, NATS producer and consumer). */
export const ESTATE_TRACER = 'hybrid-estate';

/** Span attribute names of a verification span; values are identities, types and hashes only (O4). */
export const VerificationAttributes = Object.freeze({
  hop: 'binding.hop',
  result: 'binding.result',
  failureType: 'binding.failure_type',
  code: 'binding.error_code',
  caller: 'binding.caller.spiffe_id',
  thumbprint: 'binding.thumbprint',
  jtiHash: 'binding.jti_hash',
  actorChain: 'binding.actor_chain',
});

/**
 * SECURITY.md O1-O3 for the guard's decisions: each one becomes
 * 1. a verification span (`verify <hop>`, a child of the request's span: the HTTP server span at the
 *    edge, the NATS consumer span inside), timed as the checks were, with the outcome, the failure
 *    type, the caller's SPIFFE ID, the key or certificate thumbprint and the hashed `jti`; a refusal
 *    sets the span's status to error;
 * 2. one count in `binding.decisions` {hop, result, failure_type} and one latency sample;
 * 3. for a refusal, one audit line.
 * The decision holds no token, proof, key or nonce, and neither does anything made of it (O4).
 */
export function bindingTelemetry(audit: AuditLog): BindingObserver {
  const tracer = trace.getTracer(ESTATE_TRACER);
  const { decisions, verificationDuration } = estateInstruments();
  // Per hop, made once: the span name and the histogram's attribute sets (the SDK hashes the
  // attributes it is given on every record, but need not be handed a new object each time).
  const hops = new Map<string, { readonly spanName: string; readonly accepted: Attributes; readonly refused: Attributes }>();
  const hopOf = (hop: string) => {
    let entry = hops.get(hop);
    if (entry === undefined) {
      entry = { spanName: `verify ${hop}`, accepted: Object.freeze({ hop, result: 'accepted' }), refused: Object.freeze({ hop, result: 'refused' }) };
      hops.set(hop, entry);
    }
    return entry;
  };
  return Object.freeze({
    decision(decision: BindingDecision): void {
      const failureType = decision.failureType ?? 'none';
      const hop = hopOf(decision.hop);
      decisions.add(`${decision.hop} ${decision.result} ${failureType}`, () => ({ hop: decision.hop, result: decision.result, failure_type: failureType }));
      verificationDuration.record(decision.durationMs, decision.result === 'accepted' ? hop.accepted : hop.refused);
      const end = Date.now();
      // The request's own span (request-spans.ts), else whatever is active.
      const requestSpan = requestSpanOf(decision.request);
      const parent = requestSpan === undefined ? context.active() : trace.setSpan(context.active(), requestSpan);
      // The attributes are set only on a span that records: an unsampled request pays for none.
      const span = tracer.startSpan(hop.spanName, { kind: SpanKind.INTERNAL, startTime: end - decision.durationMs }, parent);
      // The calls made on behalf of the request join the request's span; with none (an edge
      // without the http instrumentation) they join this one, so the request stays one trace.
      if (decision.onBehalfOf !== undefined) onBehalfOfContexts.set(decision.onBehalfOf, requestSpan === undefined ? trace.setSpan(parent, span) : parent);
      if (span.isRecording()) {
        span.setAttributes(attributesOf(decision));
        if (decision.result === 'refused') span.setStatus({ code: SpanStatusCode.ERROR, message: failureType });
      }
      span.end(end);
      if (decision.result === 'refused') {
        const spanContext = span.spanContext();
        audit.record('refusal', refusalFields(decision, trace.isSpanContextValid(spanContext) ? spanContext.traceId : undefined));
      }
    },
  });
}

/**
 * O3 alone, for a process that exports nothing (no OTEL_* variable, no operations port): a refusal
 * is still one audit line, and nothing else is done per decision: no span, no count, no sample,
 * which no reader would ever see.
 */
export function auditOnlyObserver(audit: AuditLog): BindingObserver {
  return Object.freeze({
    decision(decision: BindingDecision): void {
      if (decision.result === 'refused') audit.record('refusal', refusalFields(decision, undefined));
    },
  });
}

function refusalFields(decision: BindingDecision, traceId: string | undefined): AuditFields {
  return {
    ...(traceId === undefined ? {} : { trace_id: traceId }),
    hop: decision.hop,
    caller: callerOf(decision),
    failure_type: decision.failureType ?? 'none',
    code: decision.code,
    jti_hash: decision.jtiHash,
    thumbprint: decision.thumbprint,
  };
}

/** Said when a hop refused a message before its sender's certificate was validated (O1, O3). */
export const UNKNOWN_CALLER = 'unknown';

/**
 * The caller a decision names: its SPIFFE ID once the sender's certificate was validated; at a NATS
 * hop (or the STS) refused before that, `unknown`, said as such rather than left out. At the edge
 * the caller is an HTTP client, which has no SPIFFE ID: nothing.
 */
function callerOf(decision: BindingDecision): string | undefined {
  if (decision.callerSpiffeId !== undefined) return decision.callerSpiffeId;
  return decision.hop !== 'edge' && decision.result === 'refused' ? UNKNOWN_CALLER : undefined;
}

function attributesOf(decision: BindingDecision): Attributes {
  const attributes: Attributes = { [VerificationAttributes.hop]: decision.hop, [VerificationAttributes.result]: decision.result };
  if (decision.failureType !== undefined) attributes[VerificationAttributes.failureType] = decision.failureType;
  if (decision.code !== undefined) attributes[VerificationAttributes.code] = decision.code;
  const caller = callerOf(decision);
  if (caller !== undefined) attributes[VerificationAttributes.caller] = caller;
  if (decision.thumbprint !== undefined) attributes[VerificationAttributes.thumbprint] = decision.thumbprint;
  if (decision.jtiHash !== undefined) attributes[VerificationAttributes.jtiHash] = decision.jtiHash;
  if (decision.actorChain !== undefined && decision.actorChain.length > 0) attributes[VerificationAttributes.actorChain] = [...decision.actorChain];
  return attributes;
}

/**
 * O1, O2 for the outbound client: each request (an exchange at the STS, a call) is a PRODUCER span
 * (`send <subject>`, OpenTelemetry messaging conventions: `messaging.system` nats,
 * `messaging.destination.name` the subject, `messaging.operation.type` send) whose W3C trace context
 * is injected into the request's headers, where the hop proof covers it (`oth`); each cache lookup
 * counts a hit or a miss.
 */
export function outboundTelemetry(): OutboundObserver {
  const tracer = trace.getTracer(ESTATE_TRACER);
  const { exchangeCache, outbound } = estateInstruments();
  const spanNames = new Map<string, string>();
  return Object.freeze({
    request(info: OutboundRequestInfo): OutboundObservation {
      const parent = (info.onBehalfOf === undefined ? undefined : onBehalfOfContexts.get(info.onBehalfOf)) ?? context.active();
      let name = spanNames.get(info.subject);
      if (name === undefined) spanNames.set(info.subject, (name = `send ${info.subject}`));
      const span = tracer.startSpan(name, { kind: SpanKind.PRODUCER }, parent);
      const recording = span.isRecording();
      if (recording) {
        span.setAttributes({
          'messaging.system': 'nats',
          'messaging.destination.name': info.subject,
          'messaging.operation.type': 'send',
          'messaging.operation.name': 'request',
          'binding.stage': info.stage,
          'binding.audience': info.audience,
        });
      }
      // An unsampled trace goes on too (its flags say so), so the next hop does not start its own.
      const headers: Record<string, string> = {};
      if (recording || trace.isSpanContextValid(span.spanContext())) propagation.inject(trace.setSpan(parent, span), headers);
      return {
        headers,
        end(outcome) {
          outbound.add(`${info.stage} ${info.subject} ${outcome.result}`, () => ({ stage: info.stage, subject: info.subject, result: outcome.result }));
          if (!recording) return;
          if (outcome.result !== 'ok') {
            span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.type ?? outcome.code ?? outcome.result });
            if (outcome.code !== undefined) span.setAttribute('binding.error_code', outcome.code);
            if (outcome.type !== undefined) span.setAttribute('binding.failure_type', outcome.type);
          }
          span.end();
        },
      };
    },
    exchangeCache(lookup: { readonly hit: boolean }) {
      const result = lookup.hit ? 'hit' : 'miss';
      exchangeCache.add(result, () => ({ result }));
    },
  });
}

/**
 * O1 for the revocation feed: `binding.revocation.lag` {workload, source}, the milliseconds from a
 * revocation's publish (its `published_at`, else the stream's stored time) to its being applied
 * here; an event of unknown publish time is not measured. Clocks of publisher and workload may
 * differ by a little: a negative lag counts as 0.
 */
export function revocationTelemetry(workload: string): RevocationObserver {
  const { revocationLag } = estateInstruments();
  const attributes = { live: Object.freeze({ workload, source: 'live' }), stream: Object.freeze({ workload, source: 'stream' }) } as const;
  return Object.freeze({
    applied(revocation: RevocationApplied): void {
      if (revocation.publishedAtMs === undefined) return;
      revocationLag.record(Math.max(0, revocation.appliedAtMs - revocation.publishedAtMs), attributes[revocation.source]);
    },
  });
}
