/**
 * Counts the requests still waiting on one NATS connection, so that a connection being replaced
 * (SECURITY.md L3) is closed only once what it carries has settled, or a bound has passed.
 */
export class InFlight {
  #count = 0;
  #idle: (() => void)[] = [];

  get size(): number {
    return this.#count;
  }

  /** Marks one request started; the returned function ends it (calling it again does nothing). */
  begin(): () => void {
    this.#count += 1;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.#count -= 1;
      if (this.#count === 0) for (const resolve of this.#idle.splice(0)) resolve();
    };
  }

  /** Resolves true once nothing is in flight, or false after `timeoutMs` with requests still open. */
  settled(timeoutMs: number): Promise<boolean> {
    if (this.#count === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.#idle.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}

/** One InFlight per connection object, forgotten with the connection. */
export class InFlightByConnection {
  readonly #flights = new WeakMap<object, InFlight>();

  of(connection: object): InFlight {
    let flight = this.#flights.get(connection);
    if (flight === undefined) {
      flight = new InFlight();
      this.#flights.set(connection, flight);
    }
    return flight;
  }
}
