import { headers as natsHeaders } from '@nats-io/transport-node';
import { NatsRecordBuilder, type ClientProxy } from '@nestjs/microservices';
import type { Observable, Subscription } from 'rxjs';
import { BindingConfigError } from '../errors/binding-error.js';
import { isIntegerIn } from '../options/integer-range.js';
import type { HopTransport, HopTransportRequest } from '../outbound/hop-transport.js';
import { OutboundRefusedError, OutboundUnavailableError, type OutboundStage } from '../outbound/outbound-errors.js';

/** What the transport uses of a Nest ClientProxy: ClientNats and its subclasses (whatever their status type). */
export type OutboundClientProxy = Pick<ClientProxy, 'send' | 'status'>;

const ERROR_VALUE = /^[a-z][a-z0-9_]{0,63}$/;

/**
 * The HopTransport of the outbound side over a connected Nest ClientProxy (ClientNats), given to
 * createOutboundClient as its `transport`: the outbound client knows only that interface, so
 * `@hybrid-estate/binding/hop` loads without Nest, and this is the one place that speaks Nest's
 * RPC client. The payload and the hop headers travel as a NatsRecord, and the reply is awaited at
 * most `timeoutMs` (Nest's send() has no timeout of its own; unsubscribing on timeout drops the
 * reply inbox). Failures are sorted into two kinds, so a caller never has to read transport errors:
 * - OutboundUnavailableError: no reply in time; the client's connection is down (ClientNats then
 *   rejects at once, so a broker outage fails fast) or is lost while the request waits (its reply
 *   cannot cross a broker that is gone: it fails then, not at the timeout); the broker's "no responders" (nobody serves the
 *   subject: ClientNats sees an empty reply); an error reply with status 503; anything else thrown.
 * - OutboundRefusedError: an error reply `{ code, type?, status? }` (the guard's H13 refusal, the
 *   STS's RFC 8693 error, a handler's RpcException), or Nest's generic `{ status: 'error' }` for a
 *   handler that failed unexpectedly (code `server_error`, status 500). Codes and types that are not
 *   short lower-case identifiers are replaced, so nothing odd from a callee travels further.
 * Does not retry: whether a second attempt makes sense is the caller's decision.
 */
export function clientProxyTransport(client: OutboundClientProxy): HopTransport {
  if (typeof client?.send !== 'function') throw new BindingConfigError('clientProxyTransport: client must be a Nest ClientProxy (ClientNats)');
  const connection = watchConnection(client);
  return Object.freeze({
    request({ stage, subject, payload, headers, timeoutMs }: HopTransportRequest): Promise<unknown> {
      const header = natsHeaders();
      for (const name of Object.keys(headers)) header.set(name, headers[name]!);
      const record = new NatsRecordBuilder(payload).setHeaders(header).build();
      // One subscription to the reply, one timer and one entry in the connection's waiting set:
      // the first of reply, error, completion, timeout or connection loss settles the request and
      // releases the others (unsubscribing drops the reply inbox).
      return new Promise((resolve, reject) => {
        let reply: Subscription | undefined;
        let settled = false;
        const settle = (outcome: { readonly value: unknown } | { readonly error: Error }): void => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          connection.waiting.delete(lost);
          reply?.unsubscribe();
          if ('error' in outcome) reject(outcome.error);
          else resolve(outcome.value);
        };
        const lost = (): void => settle({ error: new OutboundUnavailableError(stage, subject, 'disconnected') });
        const timer = setTimeout(() => settle({ error: new OutboundUnavailableError(stage, subject, 'timeout') }), timeoutMs);
        if (connection.lost) return lost();
        connection.waiting.add(lost);
        reply = client.send<unknown>(subject, record).subscribe({
          next: (value) => settle({ value }),
          error: (error: unknown) => settle({ error: classify(stage, subject, error) }),
          complete: () => settle({ value: undefined }),
        });
        // Settled while subscribing (a client that fails at once): `reply` was not yet assigned.
        if (settled) reply.unsubscribe();
      });
    },
  });
}

/** The client's connection as the transport sees it, and the requests to fail when it is lost. */
interface WatchedConnection {
  readonly lost: boolean;
  readonly waiting: Set<() => void>;
}

/**
 * Fails a request as soon as the client reports its connection lost, whether it is lost already
 * (ClientNats replays its last status) or while the request waits: Nest's ClientNats keeps a
 * pending request until its timeout even after the broker has gone. One subscription to the
 * client's status for the transport's life, not one per request.
 */
function watchConnection(client: OutboundClientProxy): WatchedConnection {
  const connection = { lost: false, waiting: new Set<() => void>() };
  (client.status as Observable<unknown> | undefined)?.subscribe((status) => {
    connection.lost = status === 'disconnected';
    if (connection.lost) for (const fail of [...connection.waiting]) fail();
  });
  return connection;
}

function classify(stage: OutboundStage, subject: string, error: unknown): Error {
  if (error instanceof OutboundUnavailableError) return error;
  if (isNoResponders(error)) return new OutboundUnavailableError(stage, subject, 'no_responders', { cause: error });
  if (isConnectionLoss(error)) return new OutboundUnavailableError(stage, subject, 'disconnected', { cause: error });
  if (typeof error === 'object' && error !== null && !(error instanceof Error)) {
    const reply = error as { code?: unknown; type?: unknown; status?: unknown };
    if (typeof reply.code === 'string') {
      const status = isIntegerIn(reply.status, 400, 599) ? reply.status : 500;
      const code = ERROR_VALUE.test(reply.code) ? reply.code : 'server_error';
      if (status === 503 || code === 'temporarily_unavailable') return new OutboundUnavailableError(stage, subject, 'remote_unavailable');
      const type = typeof reply.type === 'string' && ERROR_VALUE.test(reply.type) ? reply.type : undefined;
      return new OutboundRefusedError(stage, subject, { code, type, status });
    }
    // Nest's BaseRpcExceptionFilter for anything but an RpcException: { status: 'error', message }.
    if (reply.status === 'error') return new OutboundRefusedError(stage, subject, { code: 'server_error', type: undefined, status: 500 });
  }
  return new OutboundUnavailableError(stage, subject, 'transport', { cause: error });
}

/** ClientNats turns the broker's 503 "no responders" status (an empty reply) into EmptyResponseException. */
function isNoResponders(error: unknown): boolean {
  return error instanceof Error && (error.constructor.name === 'EmptyResponseException' || error.message.startsWith('Empty response.'));
}

/** ClientNats rejects with a string while reconnecting, and with "Connection closed" once closed. */
function isConnectionLoss(error: unknown): boolean {
  const text = typeof error === 'string' ? error : error instanceof Error ? error.message : '';
  return /Connection (lost|closed)|CONNECTION_CLOSED|closed connection/i.test(text);
}
