import type { ClientProxy } from '@nestjs/microservices';
import { firstValueFrom, throwError, timeout } from 'rxjs';

/** No reply within the bound: the responder is down, refused, or too slow. */
export class NatsRequestTimeoutError extends Error {
  readonly pattern: string;
  readonly timeoutMs: number;

  constructor(pattern: string, timeoutMs: number) {
    super(`no reply on "${pattern}" within ${timeoutMs} ms`);
    this.name = 'NatsRequestTimeoutError';
    this.pattern = pattern;
    this.timeoutMs = timeoutMs;
  }
}

/**
 * One request through a Nest ClientProxy, bounded in time. `send()` waits forever by itself: a
 * request the broker refuses (a permissions violation) or nobody answers would hang its caller.
 * Unsubscribing on timeout makes Nest drop the reply inbox. Pass a `NatsRecord` (see
 * `natsRecord`) as `data` to send headers. Error replies reject with what the responder sent.
 */
export function requestWithTimeout<T>(client: ClientProxy, pattern: string, data: unknown, timeoutMs: number): Promise<T> {
  return firstValueFrom(
    client.send<T>(pattern, data).pipe(
      timeout({ first: timeoutMs, with: () => throwError(() => new NatsRequestTimeoutError(pattern, timeoutMs)) }),
    ),
  );
}
