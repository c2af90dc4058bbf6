import { Controller, Inject, Logger } from '@nestjs/common';
import { Ctx, MessagePattern, NatsContext, Payload, RpcException } from '@nestjs/microservices';
import type { FailureType } from '#binding/core';
import type { TokenExchangeResponse } from '#binding/hop';
import { callerProofRequestOf } from '#binding/nest/rpc';
import { EstateSubjects, workloadTelemetry } from '#estate';
import { ExchangeRefusal } from './exchange/exchange-refusal.js';
import type { TokenExchange } from './exchange/token-exchange.js';

export const TOKEN_EXCHANGE = Symbol('hybrid-estate:token-exchange');

/**
 * `sts.exchange`: RFC 8693 token exchange over NATS. Not behind the BindingGuard: the caller holds
 * no internal token for the STS; its hop proof over the subject token authenticates it, inside the
 * exchange (createCallerProofVerifier). A refusal is an error reply `{ code, type, status, message }`
 * (H13); the log names the stage and failure type, never a token.
 */
@Controller()
export class ExchangeController {
  private readonly logger = new Logger('Exchange');

  constructor(@Inject(TOKEN_EXCHANGE) private readonly exchanges: TokenExchange) {}

  @MessagePattern(EstateSubjects.stsExchange)
  async exchange(@Payload() payload: unknown, @Ctx() context: NatsContext): Promise<TokenExchangeResponse> {
    const hop = context.getSubject();
    const started = performance.now();
    // O1-O3: each decision of the exchange as a verification span, a count and (refusals) an audit line.
    const observer = workloadTelemetry('sts').binding;
    try {
      // O2: the trace context the caller's proof covers (oth) is checked with the proof.
      const granted = await this.exchanges.exchange({ ...callerProofRequestOf(context), payload });
      observer.decision({ hop, result: 'accepted', request: context, durationMs: performance.now() - started, callerSpiffeId: granted.caller, thumbprint: granted.callerThumbprint, jtiHash: granted.jtiHash });
      this.logger.debug(`issued caller=${granted.caller} aud=${granted.audience} scope="${granted.response.scope}" proof jti#=${granted.jtiHash}`);
      return granted.response;
    } catch (error) {
      // Anything but a refusal is the STS's own fault: Nest answers a generic error and logs it.
      if (!(error instanceof ExchangeRefusal)) throw error;
      const reply = error.toReply();
      // The caller's SPIFFE ID, certificate thumbprint and proof jti hash when the refusal came after
      // its certificate was validated (ExchangeRefusal.sender); else the telemetry says `unknown`.
      const sender = error.sender;
      observer.decision({
        hop, result: 'refused', request: context, failureType: reply.type as FailureType, code: reply.code, durationMs: performance.now() - started,
        ...(sender === undefined ? {} : { callerSpiffeId: sender.caller, thumbprint: sender.thumbprint, ...(sender.jtiHash === undefined ? {} : { jtiHash: sender.jtiHash }) }),
      });
      this.logger.warn(`refused stage=${error.stage} type=${reply.type} code=${reply.code} caller=${sender?.caller ?? 'unknown'}`);
      throw new RpcException(reply);
    }
  }
}
