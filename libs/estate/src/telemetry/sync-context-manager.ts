import { ROOT_CONTEXT, type Context, type ContextManager } from '@opentelemetry/api';

/**
 * An OpenTelemetry ContextManager that keeps the active context for the synchronous extent of
 * `with()` only, as the browser's StackContextManager does. Why not AsyncLocalStorage (the Node
 * SDK's default): on Node 20 it is built on async_hooks and, once entered, taxes every promise of
 * the process; the estate's order flow (Nest, RxJS, nats.js: promises all the way) lost about a
 * tenth of its throughput to it alone (bench telemetry_overhead). The estate does not need it:
 * its spans are parented explicitly (request-spans.ts: the HTTP server span by request, the NATS
 * consumer span by message, the outbound producer span by the SubjectToken a handler calls with),
 * and what the SDK itself runs `with` a context (an exporter suppressing its own tracing, the http
 * instrumentation around `emit`) runs synchronously inside it.
 * Not for code that expects `context.active()` to survive an `await`: it does not here.
 */
export class SyncContextManager implements ContextManager {
  #active: Context = ROOT_CONTEXT;

  active(): Context {
    return this.#active;
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(context: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    const previous = this.#active;
    this.#active = context;
    try {
      return fn.call(thisArg, ...args);
    } finally {
      this.#active = previous;
    }
  }

  bind<T>(context: Context, target: T): T {
    if (typeof target !== 'function') return target; // event emitters: nothing to carry
    const manager = this;
    return function (this: unknown, ...args: unknown[]) {
      return manager.with(context, () => (target as (...params: unknown[]) => unknown).apply(this, args));
    } as T;
  }

  enable(): this {
    return this;
  }

  disable(): this {
    this.#active = ROOT_CONTEXT;
    return this;
  }
}
