import { type DynamicModule, Module } from '@nestjs/common';
import { BindingModule, type BindingModuleOptions } from '#binding/nest';
import type { OutboundClient } from '#binding/hop';
import { closeOnShutdown, type Closer } from '#estate';
import { ORDER_STORE, OrdersController, OUTBOUND } from './orders.controller.js';
import type { OrderStore } from './orders/order-store.js';

@Module({})
export class OrdersModule {
  static register(binding: BindingModuleOptions, orders: OrderStore, outbound: OutboundClient, closers: readonly Closer[]): DynamicModule {
    return {
      module: OrdersModule,
      imports: [BindingModule.forRoot(binding)],
      controllers: [OrdersController],
      providers: [{ provide: ORDER_STORE, useValue: orders }, { provide: OUTBOUND, useValue: outbound }, ...closeOnShutdown(...closers)],
    };
  }
}
