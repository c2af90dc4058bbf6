import type { INestMicroservice, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { hopBindingOptions, natsMicroserviceOptions, openEstateLink, openHopReplayStore, openStateBucket, type EstateConfig, type EstateLink } from '#estate';
import { InventoryModule } from './inventory.module.js';
import { DEFAULT_INITIAL_STOCK, StockStore } from './stock/stock-store.js';

export interface InventoryApp {
  /** Not listening yet: call `listen()`. `close()` closes everything it opened. */
  readonly app: INestMicroservice;
  readonly link: EstateLink;
}

/**
 * Inventory on the fabric: its link (revocations, STS keys, estate CA), its state bucket, the
 * guard's hop verifier with its replay store, and the Nest microservice serving `inventory.*` in its queue group.
 */
export async function createInventoryApp(
  config: EstateConfig<'inventory'>,
  options: { readonly initialStock?: number; readonly logger?: false | LogLevel[] } = {},
): Promise<InventoryApp> {
  const link = await openEstateLink(config);
  try {
    const stock = new StockStore(await openStateBucket(link, 'inventory'), options.initialStock ?? DEFAULT_INITIAL_STOCK);
    const replay = await openHopReplayStore(link);
    const app = await NestFactory.createMicroservice(InventoryModule.register(hopBindingOptions(link, replay), stock, [() => replay.close(), () => link.close()]), {
      ...natsMicroserviceOptions(config),
      logger: options.logger ?? ['error', 'warn', 'log'],
    });
    return { app, link };
  } catch (error) {
    await link.close();
    throw error;
  }
}
