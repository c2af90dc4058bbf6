import { connect, type ConnectionOptions, type NatsConnection, type Status, type Subscription, type SubscriptionOptions } from '@nats-io/transport-node';
import { InFlightByConnection } from './in-flight.js';
import type { NatsTlsOptions } from './nats-connection-options.js';
import { StatusFanOut } from './status-fan-out.js';

type MovingSubscription = { subject: string; options: SubscriptionOptions; current: Subscription; ended: boolean };

/**
 * SECURITY.md L3 for a workload's plain NATS connection (revocation feed, STS keys, KV state and
 * replay buckets): one `NatsConnection` that outlives certificate renewals. nats.js reads its TLS
 * material only when it (re)connects, and its `reconnect()` rejects the requests in flight, so a
 * renewal is a second connection, make-before-break:
 * 1. `rotate(tls)` connects with the new certificate (a refusal leaves everything as it was);
 * 2. every subscription made with a callback through `connection` is made again on the new
 *    connection, and the broker has it (flush) before the old one is drained: queue groups keep a
 *    member, and an announcement may arrive twice (consumers here are idempotent), never not at all;
 * 3. new requests go to the new connection;
 * 4. the old one is closed once its requests in flight have settled, at most `drainTimeoutMs` later.
 * `connection` is a stand-in for whichever connection is current: requests, publishes, KV and
 * JetStream calls go to it; `status()` reports the current connection's events across renewals
 * (a renewal itself is not an event; one after an outage is reported as `reconnect`), and ends
 * when this is closed. Consumers keep the reference they were given: nothing to re-wire.
 * Does not move iterator subscriptions (no callback) nor JetStream consumers: they stay on the
 * connection they were made on and end when it closes. The estate uses neither.
 */
export class RotatingConnection {
  readonly connection: NatsConnection;
  #current: NatsConnection;
  #options: ConnectionOptions;
  readonly #drainTimeoutMs: number;
  readonly #flights = new InFlightByConnection();
  readonly #subscriptions = new Set<MovingSubscription>();
  readonly #statuses = new StatusFanOut();
  readonly #closed: Promise<void | Error>;
  #resolveClosed!: (value: void | Error) => void;
  #isClosed = false;
  #renewals = 0;

  private constructor(first: NatsConnection, options: ConnectionOptions, drainTimeoutMs: number) {
    this.#current = first;
    this.#options = options;
    this.#drainTimeoutMs = drainTimeoutMs;
    this.#closed = new Promise((resolve) => (this.#resolveClosed = resolve));
    this.#statuses.switchTo(first);
    this.#follow(first);
    this.connection = this.#facade(first);
  }

  /** Connects with `options` (natsConnectionOptions); `drainTimeoutMs` bounds the wait for requests in flight at a renewal. */
  static async open(options: ConnectionOptions, drainTimeoutMs: number): Promise<RotatingConnection> {
    return new RotatingConnection(await connect(options), options, drainTimeoutMs);
  }

  /** The connection in use now (for a test or a log line); hold `connection` instead. */
  get current(): NatsConnection {
    return this.#current;
  }

  /** Open, and not between a disconnect and the reconnect after it. */
  get connected(): boolean {
    return !this.#isClosed && !this.#statuses.down;
  }

  /** How many renewals moved this connection. */
  get renewals(): number {
    return this.#renewals;
  }

  /** Make-before-break onto a connection presenting `tls`; rejects, changing nothing, when the broker refuses it. */
  async rotate(tls: NatsTlsOptions): Promise<void> {
    if (this.#isClosed) return;
    const options = { ...this.#options, tls: { ...tls } };
    const next = await connect(options);
    const previous = this.#current;
    const moved: [MovingSubscription, Subscription][] = [];
    try {
      for (const entry of this.#subscriptions) moved.push([entry, next.subscribe(entry.subject, entry.options)]);
      await next.flush();
    } catch (error) {
      await next.close().catch(() => undefined);
      throw error;
    }
    if (this.#isClosed) {
      await next.close().catch(() => undefined);
      return;
    }
    const olds = moved.map(([entry, subscription]) => {
      const old = entry.current;
      entry.current = subscription;
      return old;
    });
    this.#options = options;
    this.#current = next;
    this.#renewals += 1;
    this.#statuses.switchTo(next);
    this.#follow(next);
    await Promise.allSettled(olds.map((old) => old.drain()));
    await this.#flights.of(previous).settled(this.#drainTimeoutMs);
    await previous.drain().catch(() => previous.close());
  }

  async close(): Promise<void> {
    if (this.#isClosed) return;
    this.#isClosed = true;
    this.#statuses.end();
    const current = this.#current;
    if (!current.isClosed()) await current.close().catch(() => undefined);
    this.#resolveClosed();
  }

  /** The current connection closing by itself (it gave up reconnecting) closes this too. */
  #follow(connection: NatsConnection): void {
    void connection.closed().then((error) => {
      if (connection !== this.#current || this.#isClosed) return;
      this.#isClosed = true;
      this.#statuses.end();
      this.#resolveClosed(error);
    });
  }

  #request(...args: Parameters<NatsConnection['request']>): ReturnType<NatsConnection['request']> {
    const connection = this.#current;
    const end = this.#flights.of(connection).begin();
    return connection.request(...args).finally(end);
  }

  #subscribe(subject: string, options: SubscriptionOptions = {}): Subscription {
    if (typeof options.callback !== 'function') return this.#current.subscribe(subject, options);
    const entry: MovingSubscription = { subject, options, current: this.#current.subscribe(subject, options), ended: false };
    this.#subscriptions.add(entry);
    const end = (): void => {
      entry.ended = true;
      this.#subscriptions.delete(entry);
    };
    return new Proxy(entry.current, {
      get: (_target, property) => {
        if (property === 'unsubscribe') return (max?: number) => (end(), entry.current.unsubscribe(max));
        if (property === 'drain') return () => (end(), entry.current.drain());
        const value = Reflect.get(entry.current, property, entry.current) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(entry.current) : value;
      },
    });
  }

  #facade(first: NatsConnection): NatsConnection {
    const own: Partial<Record<keyof NatsConnection, unknown>> = {
      request: (...args: Parameters<NatsConnection['request']>) => this.#request(...args),
      subscribe: (subject: string, options?: SubscriptionOptions) => this.#subscribe(subject, options),
      status: (): AsyncIterable<Status> => this.#statuses.iterable(),
      isClosed: () => this.#isClosed,
      closed: () => this.#closed,
      close: () => this.close(),
      drain: () => this.close(),
    };
    // The first connection is the target only so that `instanceof` and property probes behave;
    // every read goes to the current connection.
    return new Proxy(first, {
      get: (_target, property) => {
        if (Object.hasOwn(own, property)) return own[property as keyof NatsConnection];
        const current = this.#current;
        const value = Reflect.get(current, property, current) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(current) : value;
      },
    });
  }
}
