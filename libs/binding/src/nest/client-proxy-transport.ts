import { headers as natsHeaders } from '@nats-io/transport-node';
import { NatsRecordBuilder, type ClientProxy } from '@nestjs/microservices';
import { filter, firstValueFrom, mergeMap, race, take, throwError, timeout, type Observable } from 'rxjs';
import { BindingConfigError } from '../errors/binding-error.js';
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
  return Object.freeze({
    async request({ stage, subject, payload, headers, timeoutMs }: HopTransportRequest): Promise<unknown> {
      const header = natsHeaders();
      for (const [name, value] of Object.entries(headers)) header.set(name, value);
      const record = new NatsRecordBuilder(payload).setHeaders(header).build();
      try {
        return await firstValueFrom(
          race(client.send<unknown>(subject, record), connectionLost(client, stage, subject)).pipe(
            timeout({ first: timeoutMs, with: () => throwError(() => new OutboundUnavailableError(stage, subject, 'timeout')) }),
          ),
          { defaultValue: undefined },
        );
      } catch (error) {
        throw classify(stage, subject, error);
      }
    },
  });
}

/**
 * Errors as soon as the client reports its connection lost (now, or while the request waits):
 * Nest's ClientNats keeps a pending request until its timeout even after the broker has gone.
 */
function connectionLost(client: OutboundClientProxy, stage: OutboundStage, subject: string): Observable<never> {
  return (client.status as Observable<unknown>).pipe(
    filter((status) => status === 'disconnected'),
    take(1),
    mergeMap(() => throwError(() => new OutboundUnavailableError(stage, subject, 'disconnected'))),
  );
}

function classify(stage: OutboundStage, subject: string, error: unknown): Error {
  if (error instanceof OutboundUnavailableError) return error;
  if (isNoResponders(error)) return new OutboundUnavailableError(stage, subject, 'no_responders', { cause: error });
  if (isConnectionLoss(error)) return new OutboundUnavailableError(stage, subject, 'disconnected', { cause: error });
  if (typeof error === 'object' && error !== null && !(error instanceof Error)) {
    const reply = error as { code?: unknown; type?: unknown; status?: unknown };
    if (typeof reply.code === 'string') {
      const status = typeof reply.status === 'number' && Number.isInteger(reply.status) && reply.status >= 400 && reply.status <= 599 ? reply.status : 500;
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
