import { connect, type NatsConnection } from '@nats-io/transport-node';
import { ClientNats, type NatsOptions, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import { statusWhileCurrent } from './current-status.js';
import { InFlightByConnection } from './in-flight.js';
import type { NatsTlsOptions } from './nats-connection-options.js';

/**
 * SECURITY.md L3 for a Nest ClientNats (the outbound client's transport): `rotate(tls)` connects
 * with the renewed certificate and sends every new request through it, then closes the old
 * connection once the requests it carries have their replies (at most `drainTimeoutMs`, the
 * request timeout: a request still open then would time out anyway). Not `drain()` at once: it
 * would unsubscribe the per-request reply inboxes and lose the replies; not nats.js
 * `reconnect()`: it rejects the requests in flight.
 * A refused connection leaves the client as it was. Status events of the replaced connection (its
 * close) are not reported as a disconnect, which would fail the requests in flight.
 * Use: `new RotatingClientNats(natsClientOptions(config).options, config.requestTimeoutMs)`.
 */
export class RotatingClientNats extends ClientNats {
  readonly #drainTimeoutMs: number;
  readonly #flights = new InFlightByConnection();

  constructor(options: NatsOptions['options'], drainTimeoutMs: number) {
    super(options ?? {});
    this.#drainTimeoutMs = drainTimeoutMs;
  }

  async rotate(tls: NatsTlsOptions): Promise<void> {
    // The next connect() presents the new certificate; one under way finishes first, then moves.
    (this.options as { tls?: NatsTlsOptions }).tls = { ...tls };
    if (this.natsClient === null && this.connectionPromise !== null) await this.connectionPromise.catch(() => undefined);
    const previous = this.natsClient as NatsConnection | null;
    if (previous === null) return;
    const next = await connect({ ...this.options });
    this.natsClient = next;
    this.connectionPromise = Promise.resolve(next);
    void this.handleStatusUpdates(next);
    this._status$.next('connected' as never); // after an outage of the old one, connected again
    await this.#flights.of(previous).settled(this.#drainTimeoutMs);
    await previous.drain().catch(() => previous.close());
  }

  /** Each request is counted on the connection it was published on, until its reply (or its end). */
  protected override publish(partialPacket: ReadPacket, callback: (packet: WritePacket) => any): () => void {
    const connection = this.natsClient;
    if (connection === null) return super.publish(partialPacket, callback);
    const end = this.#flights.of(connection).begin();
    const teardown = super.publish(partialPacket, (packet) => {
      if (packet.isDisposed === true || packet.err !== undefined) end();
      return callback(packet);
    });
    return () => {
      end();
      teardown();
    };
  }

  /** Only the current connection's events reach Nest: the close of a replaced one is not an outage. */
  override async handleStatusUpdates(client: Record<string, any>): Promise<void> {
    const connection = client as NatsConnection;
    await super.handleStatusUpdates(statusWhileCurrent(connection, () => this.natsClient === connection));
    // ClientNats forgets a client whose status ended for good; it compared the stand-in, not the client.
    if (this.natsClient === connection) {
      this.natsClient = null;
      this.connectionPromise = null;
    }
  }
}
