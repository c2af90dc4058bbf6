import { Logger } from '@nestjs/common';
import { connect, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { ServerNats, type NatsContext, type NatsOptions } from '@nestjs/microservices';
import { statusWhileCurrent } from './current-status.js';
import { InFlightByConnection } from './in-flight.js';
import type { NatsTlsOptions } from './nats-connection-options.js';

/** What ServerNats keeps private and a renewal must replace (node_modules/@nestjs/microservices/server/server-nats.js). */
interface ServerNatsState {
  natsClient: NatsConnection | null;
  options: NatsOptions['options'];
  subscriptions: Subscription[];
}

/** A subject JSON.parse cannot read (it starts with a letter or `_`), unless one of the next. */
const PLAIN_SUBJECT = /^[A-Za-z_]/;
const JSON_LITERAL = /^(?:true|false|null)\s*$/;

/**
 * SECURITY.md L3 for a Nest NATS microservice: a custom transport strategy, ServerNats in every
 * respect until `rotate(tls)` moves it to a connection presenting a renewed certificate,
 * make-before-break (nats.js reads TLS material only when it connects; its `reconnect()` would
 * drop what is in flight):
 * 1. connects with the new certificate; a refusal leaves the server as it was;
 * 2. `bindEvents(next)` subscribes every handler again, in the same queue groups, and the broker
 *    has the subscriptions (flush): both connections are members while the group moves;
 * 3. drains the old subscriptions: the broker sends them nothing more, and what they had already
 *    received is handed to the handlers;
 * 4. waits until every request the old connection received has been answered (the last reply
 *    published), at most `drainTimeoutMs`, then drains and closes the old connection.
 * Status events of the replaced connection (its close) are not reported as a disconnect.
 * Use: `NestFactory.createMicroservice(module, { strategy: new RotatingServerNats(options, ms) })`.
 */
export class RotatingServerNats extends ServerNats {
  readonly #drainTimeoutMs: number;
  readonly #flights = new InFlightByConnection();
  readonly #answered = new WeakMap<Msg, () => void>();
  readonly #log = new Logger('RotatingServerNats');
  #binding: NatsConnection | undefined;

  constructor(options: NatsOptions['options'], drainTimeoutMs: number) {
    super(options ?? {});
    this.#drainTimeoutMs = drainTimeoutMs;
  }

  async rotate(tls: NatsTlsOptions): Promise<void> {
    const state = this as unknown as ServerNatsState;
    const previous = state.natsClient;
    const options = { ...state.options, tls: { ...tls } };
    if (previous === null) {
      state.options = options; // not listening (yet, or any more): listen() connects with these
      return;
    }
    const next = await connect(options);
    const before = state.subscriptions.length;
    try {
      this.bindEvents(next);
      await next.flush();
    } catch (error) {
      state.subscriptions.splice(before);
      await next.close().catch(() => undefined);
      throw error;
    }
    const olds = state.subscriptions.splice(0, before);
    state.options = options;
    state.natsClient = next;
    void this.handleStatusUpdates(next);
    await Promise.allSettled(olds.map((subscription) => subscription.drain()));
    const answered = await this.#flights.of(previous).settled(this.#drainTimeoutMs);
    if (!answered) this.#log.warn(`closing the replaced NATS connection with ${this.#flights.of(previous).size} request(s) unanswered after ${this.#drainTimeoutMs} ms`);
    await previous.drain().catch(() => previous.close());
  }

  /**
   * Listening means the broker holds the subscriptions: ServerNats resolves listen() as soon as
   * they are written, so a request sent right after (a restarted replica, a test) could find no
   * responder. Flushed first, as rotate() does for a renewed connection.
   */
  override start(callback: (error?: unknown) => void): void {
    const state = this as unknown as ServerNatsState;
    this.bindEvents(state.natsClient!);
    state.natsClient!.flush().then(() => callback(), (error: unknown) => callback(error));
  }

  /** Remembers which connection the handlers are bound to, for getMessageHandler. */
  override bindEvents(client: NatsConnection): void {
    this.#binding = client;
    try {
      super.bindEvents(client);
    } finally {
      this.#binding = undefined;
    }
  }

  /** Counts each request on the connection it arrived on, until its last reply is published. */
  override getMessageHandler(channel: string): Function {
    const handle = super.getMessageHandler(channel) as (error: Error | null, message: Msg) => Promise<unknown>;
    const connection = this.#binding;
    if (connection === undefined) return handle;
    return (error: Error | null, message: Msg) => {
      if (error === null && message?.reply !== undefined && message.reply !== '') this.#answered.set(message, this.#flights.of(connection).begin());
      return handle(error, message);
    };
  }

  override getPublisher(natsMsg: Msg, id: string, ctx: NatsContext): (response: any) => any {
    const publish = super.getPublisher(natsMsg, id, ctx);
    const end = this.#answered.get(natsMsg);
    if (end === undefined) return publish;
    return (response: { isDisposed?: boolean }) => {
      try {
        return publish(response);
      } finally {
        // Nest marks the last packet of a reply stream isDisposed (Server.send).
        if (response?.isDisposed === true) end();
      }
    };
  }

  /**
   * The handler's route for a message's subject, as Nest finds it, without the SyntaxError. Nest
   * first tries `JSON.parse` on every subject (for object patterns) and catches what a plain
   * subject throws: an Error with a captured stack per message (perf: about 10 µs each, 5 % of a
   * hop receiver's samples). A subject that starts with a letter or `_` can only be JSON if it is
   * `true`, `false` or `null`: any other is its own route, exactly as Nest's catch makes it.
   */
  protected override getRouteFromPattern(pattern: string): string {
    return PLAIN_SUBJECT.test(pattern) && !JSON_LITERAL.test(pattern) ? this.normalizePattern(pattern) : super.getRouteFromPattern(pattern);
  }

  /** Only the current connection's events reach Nest: the close of a replaced one is not an outage. */
  override async handleStatusUpdates(client: NatsConnection): Promise<void> {
    const state = this as unknown as ServerNatsState;
    await super.handleStatusUpdates(statusWhileCurrent(client, () => state.natsClient === client));
  }
}
