import { Controller, type DynamicModule, Module } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { BindingModule, Bound, type BindingModuleOptions } from '#binding';
import { closeOnShutdown, spiffeIdOf, type Closer } from '#estate';
import { HOP_BENCH_SCOPE, HOP_BENCH_SUBJECTS } from './hop-bench-subjects.js';

/**
 * The two handlers the hop bench compares: the same echo, once behind the real hop guard with the
 * policy orders puts on `orders.get` (edge only, `orders:read`), once with nothing. Each returns
 * the payload as it came: the handler's own work is nil, so what differs is the binding alone.
 */
@Controller()
class EchoController {
  @MessagePattern(HOP_BENCH_SUBJECTS.hop)
  @Bound({ confirmation: 'mtls', callers: [spiffeIdOf('edge')], scopes: [HOP_BENCH_SCOPE] })
  hop(@Payload() payload: unknown): unknown {
    return payload;
  }

  @MessagePattern(HOP_BENCH_SUBJECTS.plain)
  plain(@Payload() payload: unknown): unknown {
    return payload;
  }
}

/** Wired as apps/orders wires OrdersModule: BindingModule.forRoot with the workload's hop options. */
@Module({})
export class HopReceiverModule {
  static register(binding: BindingModuleOptions, closers: readonly Closer[]): DynamicModule {
    return {
      module: HopReceiverModule,
      imports: [BindingModule.forRoot(binding)],
      controllers: [EchoController],
      providers: [...closeOnShutdown(...closers)],
    };
  }
}
