import type { IncomingMessage } from 'node:http';
import type { Span } from '@opentelemetry/api';

/**
 * The span each request is handled in, by the request object, so the estate's own spans can be
 * parented without an async-local context (sync-context-manager.ts): the HTTP server span of the
 * http instrumentation by its IncomingMessage (its requestHook), the NATS consumer span by the
 * message's headers object (TracedServerNats; Nest's NatsContext hands out the same object).
 * Kept on the request object itself, under a symbol of this module: it goes with its request, and
 * costs less per request than a WeakMap entry (no ephemeron for the collector to trace).
 */
const SPAN = Symbol('hybrid-estate.request-span');

type Keyed = { [SPAN]?: Span };

export function rememberRequestSpan(key: object, span: Span): void {
  // A frozen request keeps no span (Reflect.set says false instead of throwing): its checks get a root span.
  Reflect.set(key, SPAN, span);
}

/** The span remembered by `key` itself (rememberRequestSpan). */
export function rememberedSpanOf(key: object): Span | undefined {
  return (key as Keyed)[SPAN];
}

/**
 * The span of a transport request as the guard saw it: Fastify's request (its `raw`), Express's
 * (the IncomingMessage itself), or Nest's NatsContext (its headers).
 */
export function requestSpanOf(request: object | undefined): Span | undefined {
  if (request === undefined) return undefined;
  const candidate = request as { raw?: IncomingMessage; getHeaders?: () => unknown };
  if (typeof candidate.getHeaders === 'function' && !('raw' in candidate)) {
    const headers = candidate.getHeaders();
    return typeof headers === 'object' && headers !== null ? rememberedSpanOf(headers) : undefined;
  }
  return rememberedSpanOf(candidate.raw ?? request);
}
