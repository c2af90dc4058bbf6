import { type DynamicModule, Module } from '@nestjs/common';
import { BindingModule, type BindingModuleOptions } from '#binding/nest';
import { closeOnShutdown, type Closer } from '#estate';
import { InventoryController, STOCK_STORE } from './inventory.controller.js';
import type { StockStore } from './stock/stock-store.js';

@Module({})
export class InventoryModule {
  static register(binding: BindingModuleOptions, stock: StockStore, closers: readonly Closer[]): DynamicModule {
    return {
      module: InventoryModule,
      imports: [BindingModule.forRoot(binding)],
      controllers: [InventoryController],
      providers: [{ provide: STOCK_STORE, useValue: stock }, ...closeOnShutdown(...closers)],
    };
  }
}
