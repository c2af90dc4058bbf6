import type { NatsConnection, Status } from '@nats-io/transport-node';

interface Sink {
  readonly queue: Status[];
  wake: (() => void) | undefined;
  done: boolean;
}

/**
 * The `status()` of a connection that is replaced at each certificate renewal (RotatingConnection):
 * every iterator handed out yields the events of whichever connection is current, and ends only
 * when the fan-out ends. Events of a replaced connection (its drain, its close) are not reported:
 * for the consumers nothing was lost. A renewal that follows an outage of the replaced connection
 * is reported as `reconnect`, so consumers that stopped at `disconnect` resume (and catch up).
 */
export class StatusFanOut {
  readonly #sinks = new Set<Sink>();
  #current: NatsConnection | undefined;
  #down = false;
  #ended = false;

  /** The current connection reported a disconnect and no reconnect since. */
  get down(): boolean {
    return this.#down;
  }

  switchTo(connection: NatsConnection): void {
    const wasDown = this.#down;
    this.#current = connection;
    this.#down = false;
    void this.#pump(connection);
    if (wasDown) this.#push({ type: 'reconnect', server: connection.getServer() });
  }

  iterable(): AsyncIterable<Status> {
    const sink: Sink = { queue: [], wake: undefined, done: this.#ended };
    if (!this.#ended) this.#sinks.add(sink);
    const finish = (): IteratorResult<Status> => {
      sink.done = true;
      this.#sinks.delete(sink);
      return { done: true, value: undefined };
    };
    const iterator: AsyncIterator<Status> = {
      next: async () => {
        for (;;) {
          const value = sink.queue.shift();
          if (value !== undefined) return { done: false, value };
          if (sink.done) return finish();
          await new Promise<void>((resolve) => (sink.wake = resolve));
        }
      },
      return: async () => finish(),
    };
    return { [Symbol.asyncIterator]: () => iterator };
  }

  end(): void {
    this.#ended = true;
    for (const sink of this.#sinks) {
      sink.done = true;
      sink.wake?.();
    }
    this.#sinks.clear();
  }

  async #pump(connection: NatsConnection): Promise<void> {
    try {
      for await (const status of connection.status()) {
        if (this.#current !== connection || this.#ended) break;
        if (status.type === 'disconnect' || status.type === 'reconnecting') this.#down = true;
        else if (status.type === 'reconnect') this.#down = false;
        this.#push(status);
      }
    } catch {
      // A closed connection's iterator: nothing more to report from it.
    }
  }

  #push(status: Status): void {
    for (const sink of this.#sinks) {
      sink.queue.push(status);
      const wake = sink.wake;
      sink.wake = undefined;
      wake?.();
    }
  }
}
