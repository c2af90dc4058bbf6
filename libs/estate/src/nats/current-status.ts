import type { NatsConnection, Status } from '@nats-io/transport-node';

/**
 * `connection` as Nest's NATS transports see it after a certificate renewal: the same connection,
 * but its `status()` stops as soon as it is no longer the current one, so the drain and close of
 * a replaced connection never reach Nest as a disconnect (which would fail requests in flight).
 */
export function statusWhileCurrent(connection: NatsConnection, isCurrent: () => boolean): NatsConnection {
  const status = async function* (): AsyncGenerator<Status> {
    for await (const event of connection.status()) {
      if (!isCurrent()) return;
      yield event;
    }
  };
  return new Proxy(connection, {
    get: (target, property) => {
      if (property === 'status') return status;
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
