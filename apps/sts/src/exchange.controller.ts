import { Controller, Inject, Logger } from '@nestjs/common';
import { Ctx, MessagePattern, NatsContext, Payload, RpcException } from '@nestjs/microservices';
import { hopProofValuesOf } from '#binding/nest/rpc';
import type { TokenExchangeResponse } from '#binding/hop';
import { EstateSubjects } from '#estate';
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
    try {
      const granted = await this.exchanges.exchange({ subject: context.getSubject(), proof: hopProofValuesOf(context), payload });
      this.logger.debug(`issued caller=${granted.caller} aud=${granted.audience} scope="${granted.response.scope}" proof jti#=${granted.jtiHash}`);
      return granted.response;
    } catch (error) {
      // Anything but a refusal is the STS's own fault: Nest answers a generic error and logs it.
      if (!(error instanceof ExchangeRefusal)) throw error;
      const reply = error.toReply();
      this.logger.warn(`refused stage=${error.stage} type=${reply.type} code=${reply.code}`);
      throw new RpcException(reply);
    }
  }
}
