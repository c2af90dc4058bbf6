import { propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type TextMapGetter } from '@opentelemetry/api';
import type { Msg, MsgHdrs } from '@nats-io/transport-node';
import type { NatsContext } from '@nestjs/microservices';
import { COVERED_HEADERS } from '#binding';
import { RotatingServerNats } from '../nats/rotating-server-nats.js';
import { ESTATE_TRACER } from './binding-telemetry.js';
import { rememberedSpanOf, rememberRequestSpan } from './request-spans.js';

/**
 * Reads only the covered trace headers (COVERED_HEADERS), one value each: the hop proof check
 * refuses a message with two (TraceContextMismatch), and nothing else of the headers is looked at.
 */
const natsHeaderGetter: TextMapGetter<MsgHdrs | undefined> = {
  keys: () => [...COVERED_HEADERS],
  get(headers, key) {
    if (headers === undefined || !COVERED_HEADERS.includes(key)) return undefined;
    // One pass over the headers, no arrays made: the value when exactly one is present.
    let found: string | undefined;
    let count = 0;
    for (const [name, values] of headers) {
      if (name.length === key.length && name.toLowerCase() === key) {
        count += values.length;
        found = values[0];
      }
    }
    return count === 1 ? found : undefined;
  },
};

const CONSUMER = Object.freeze({ kind: SpanKind.CONSUMER });
/** Span names kept per subject; a workload serves a handful (a wildcard could bring more). */
const MAX_SPAN_NAMES = 256;

/**
 * SECURITY.md O2 inside the estate: a workload's NATS transport (RotatingServerNats in every other
 * respect) that handles each request within a CONSUMER span (`process <subject>`, OpenTelemetry
 * messaging conventions) whose parent is the W3C trace context the message carried, so the guard's
 * verification span and the handler's own outbound requests join the caller's trace: the span is
 * remembered by the message's headers object (request-spans.ts), which Nest's NatsContext hands
 * the guard, and the guard's decision names the SubjectToken the handler calls onward with. The trace
 * context is read before the guard has checked it against the hop proof's `oth`: a message whose
 * trace headers do not match is refused there, and its consumer span records the refusal only.
 * The span ends when the last reply is published (or the handler fails).
 */
export class TracedServerNats extends RotatingServerNats {
  readonly #tracer = trace.getTracer(ESTATE_TRACER);
  readonly #spanNames = new Map<string, string>();

  /** `process <subject>`, made once per subject (the subjects a workload serves are few). */
  #spanName(subject: string): string {
    let name = this.#spanNames.get(subject);
    if (name === undefined) {
      name = `process ${subject}`;
      if (this.#spanNames.size < MAX_SPAN_NAMES) this.#spanNames.set(subject, name);
    }
    return name;
  }

  override handleMessage(channel: string, natsMsg: Msg): Promise<unknown> {
    // No tracer provider (traces off): no span at all.
    if (!tracing()) return super.handleMessage(channel, natsMsg);
    const parent = propagation.extract(ROOT_CONTEXT, natsMsg.headers, natsHeaderGetter);
    const span = this.#tracer.startSpan(this.#spanName(natsMsg.subject), CONSUMER, parent);
    // By the headers for the guard: Nest's NatsContext hands it the same object.
    if (natsMsg.headers !== undefined) rememberRequestSpan(natsMsg.headers, span);
    // An unsampled message: its span only carries the trace on (to the guard's span and the calls
    // onward); nothing to set, end or wait for.
    if (!span.isRecording()) return super.handleMessage(channel, natsMsg);
    // By the message for its reply (getPublisher): a message may come without headers.
    rememberRequestSpan(natsMsg, span);
    span.setAttributes({
      'messaging.system': 'nats',
      'messaging.destination.name': natsMsg.subject,
      'messaging.operation.type': 'process',
      'messaging.message.body.size': natsMsg.data.length,
    });
    // A request ends its span with its last reply (getPublisher); a message without a reply here.
    const noReply = natsMsg.reply === undefined || natsMsg.reply === '';
    return super.handleMessage(channel, natsMsg).then(
      (result) => {
        if (noReply) span.end();
        return result;
      },
      (error: unknown) => {
        span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
        throw error;
      },
    );
  }

  override getPublisher(natsMsg: Msg, id: string, ctx: NatsContext): (response: any) => any {
    const publish = super.getPublisher(natsMsg, id, ctx);
    // The consumer span handleMessage remembered; none, or one that does not record (unsampled):
    // the reply needs no wrapper.
    const span = rememberedSpanOf(natsMsg);
    if (span === undefined || !span.isRecording()) return publish;
    return (response: { isDisposed?: boolean; err?: unknown }) => {
      try {
        return publish(response);
      } finally {
        if (response?.err !== undefined && response.err !== null) {
          const err = response.err as { type?: unknown; code?: unknown };
          span.setStatus({ code: SpanStatusCode.ERROR, message: typeof err.type === 'string' ? err.type : 'error' });
          if (typeof err.code === 'string') span.setAttribute('binding.error_code', err.code);
          if (typeof err.type === 'string') span.setAttribute('binding.failure_type', err.type);
        }
        if (response?.isDisposed === true) span.end();
      }
    };
  }
}

/** Whether an SDK tracer provider is registered (the API's global is a proxy until then). */
function tracing(): boolean {
  const provider = trace.getTracerProvider() as { getDelegate?: () => unknown };
  const delegate = typeof provider.getDelegate === 'function' ? provider.getDelegate() : provider;
  return delegate !== undefined && delegate?.constructor?.name !== 'NoopTracerProvider';
}
