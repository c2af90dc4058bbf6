import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { FailureType } from '#binding/core';
import { OutboundRefusedError, OutboundUnavailableError } from '#binding/hop';

/** Seconds a client should wait before retrying after an outage answer. */
export const RETRY_AFTER_S = 1; // seconds

/** Order routes when the edge runs without NATS (NATS_URL unset). */
export class OrdersNotConfiguredError extends Error {
  constructor() {
    super('orders are not reachable from this edge: NATS is not configured');
    this.name = 'OrdersNotConfiguredError';
  }
}

/** Refusals an end user may act on: asking for more scope, or another user's authority. */
const FORBIDDEN = new Set(['unauthorized_client', 'invalid_target', 'invalid_scope', 'insufficient_scope']);

/**
 * The STS refusing the end user's token itself (RFC 8693 §2.2.2: an invalid or unacceptable
 * subject_token is invalid_request, its failure type naming the check: expired, revoked, audience).
 * A malformed request (ExchangeInvalidRequest) is the edge's own fault instead.
 */
function isSubjectTokenRefused(error: OutboundRefusedError): boolean {
  return error.stage === 'exchange' && error.code === 'invalid_request' && error.type !== undefined && error.type !== FailureType.ExchangeInvalidRequest;
}

/**
 * What the client sees of an internal failure: a generic status and message, never an internal
 * code, failure type, SPIFFE ID or subject (the log has those). In order:
 * - no NATS configured: 503, no Retry-After (retrying will not help);
 * - unavailable (timeout, broker, STS or a service down, a 503 inside): 503 with Retry-After,
 *   promptly: a broker outage fails at once, a silent callee after the request's timeout;
 * - refused, for what the end user's request is: 404 (no such order of theirs), 409 (out of stock);
 * - refused, for what the end user's token may do (scope, policy, the STS refusing the token
 *   itself, a revocation at any hop): 403;
 * - any other internal refusal (a hop the edge got wrong, a callee's fault): 502.
 */
@Catch(OutboundUnavailableError, OutboundRefusedError, OrdersNotConfiguredError)
export class OutboundErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('Orders');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(error: OutboundUnavailableError | OutboundRefusedError | OrdersNotConfiguredError, host: ArgumentsHost): void {
    const { httpAdapter } = this.adapterHost;
    const response = host.switchToHttp().getResponse();
    const answer = (status: number, message: string): void => httpAdapter.reply(response, { statusCode: status, message }, status);
    if (error instanceof OrdersNotConfiguredError) return answer(503, 'orders are not available');
    if (error instanceof OutboundUnavailableError) {
      this.logger.warn(`unavailable stage=${error.stage} subject=${error.subject} reason=${error.reason}`);
      httpAdapter.setHeader(response, 'Retry-After', String(RETRY_AFTER_S));
      return answer(503, 'orders are temporarily unavailable');
    }
    this.logger.warn(`refused stage=${error.stage} subject=${error.subject} code=${error.code} type=${error.type ?? '-'}`);
    if (error.stage === 'call' && error.code === 'not_found') return answer(404, 'no such order');
    if (error.stage === 'call' && error.code === 'out_of_stock') return answer(409, 'not enough stock');
    if (error.status === 403 || FORBIDDEN.has(error.code) || error.type === 'revoked' || isSubjectTokenRefused(error)) return answer(403, 'the request was refused');
    return answer(502, 'the order service failed');
  }
}
