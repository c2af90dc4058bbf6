import { type DynamicModule, Module } from '@nestjs/common';
import { closeOnShutdown, type Closer } from '#estate';
import { ExchangeController, TOKEN_EXCHANGE } from './exchange.controller.js';
import type { TokenExchange } from './exchange/token-exchange.js';

@Module({})
export class StsModule {
  /** `closers`: what the app opened before Nest (NATS connection, key rotation timer), closed with it. */
  static register(exchange: TokenExchange, closers: readonly Closer[]): DynamicModule {
    return {
      module: StsModule,
      controllers: [ExchangeController],
      providers: [{ provide: TOKEN_EXCHANGE, useValue: exchange }, ...closeOnShutdown(...closers)],
    };
  }
}
