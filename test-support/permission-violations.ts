import { PermissionViolationError, RequestError, type NatsConnection, type Subscription } from '@nats-io/transport-node';

/**
 * How a refusal by the broker shows up in nats.js: a refused subscription is closed with a
 * PermissionViolationError; a refused plain publish only surfaces as an `error` status on the
 * connection (the connection itself stays up); a refused request rejects at once with a
 * RequestError caused by it. These wait for exactly that, with a bound.
 */
export const VIOLATION_WAIT_MS = 3_000; // milliseconds

function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${VIOLATION_WAIT_MS} ms`)), VIOLATION_WAIT_MS);
  });
  return Promise.race([promise, expiry]).finally(() => clearTimeout(timer));
}

/** Resolves with the error the broker closed this subscription with. */
export async function subscriptionRefusal(subscription: Subscription): Promise<PermissionViolationError> {
  const outcome = await within(subscription.closed, `refusal of subscription ${subscription.getSubject()}`);
  if (!(outcome instanceof PermissionViolationError)) throw new Error(`subscription ended without a permissions violation: ${String(outcome)}`);
  return outcome;
}

/** Publishes and resolves with the permissions violation the broker answers it with. */
export async function publishRefusal(connection: NatsConnection, subject: string, payload = ''): Promise<PermissionViolationError> {
  // Listen before publishing: the refusal is an asynchronous -ERR from the broker.
  const status = connection.status()[Symbol.asyncIterator]();
  const refused = (async () => {
    for (let event = await status.next(); event.done !== true; event = await status.next()) {
      const { value } = event;
      if (value.type === 'error' && value.error instanceof PermissionViolationError && value.error.subject === subject) return value.error;
    }
    throw new Error('connection closed before the broker answered');
  })();
  try {
    connection.publish(subject, payload);
    return await within(refused, `refusal of a publish to ${subject}`);
  } finally {
    await status.return?.();
  }
}

/** Resolves with the permissions violation a request (or a JetStream call) was rejected with. */
export async function requestRefusal(request: Promise<unknown>): Promise<PermissionViolationError> {
  const outcome = await within(request.then(() => undefined, (error: unknown) => error), 'refusal of a request');
  const cause = outcome instanceof RequestError ? outcome.cause : outcome;
  if (!(cause instanceof PermissionViolationError)) throw new Error(`request was not refused by the broker: ${String(outcome)}`);
  return cause;
}

/** Subscribes and proves the subscription is live: the broker would have refused it by now. */
export async function liveSubscription(connection: NatsConnection, subject: string, queue?: string): Promise<Subscription> {
  const subscription = connection.subscribe(subject, queue === undefined ? {} : { queue });
  await connection.flush();
  if (subscription.isClosed()) throw new Error(`subscription to ${subject} was closed: ${String(await subscription.closed)}`);
  return subscription;
}
