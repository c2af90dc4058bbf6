import type { INestMicroservice, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  estateServerNats,
  hopBindingOptions,
  openEstateLink,
  openHopReplayStore,
  openStateBucket,
  startEstateOperations,
  type EstateConfig,
  type EstateLink,
  type EstateLinkOptions,
  type OperationsServer,
} from '#estate';
import { InventoryModule } from './inventory.module.js';
import { DEFAULT_INITIAL_STOCK, StockStore } from './stock/stock-store.js';

export interface InventoryApp {
  /** Not listening yet: call `listen()`. `close()` closes everything it opened. */
  readonly app: INestMicroservice;
  readonly link: EstateLink;
  /** The operations server (/healthz, /readyz) when OPS_PORT is set. */
  readonly operations: OperationsServer | undefined;
}

/**
 * Inventory on the fabric: its link (revocations, STS keys, estate CA), its state bucket, the
 * guard's hop verifier with its replay store, and the Nest microservice serving `inventory.*` in its queue group.
 * Its certificate and trust bundle are followed as they are renewed (L3, L4), without a restart.
 */
export async function createInventoryApp(
  config: EstateConfig<'inventory'>,
  options: { readonly initialStock?: number; readonly logger?: false | LogLevel[]; readonly identity?: EstateLinkOptions['identity'] } = {},
): Promise<InventoryApp> {
  const link = await openEstateLink(config, options.identity === undefined ? {} : { identity: options.identity });
  let operations: OperationsServer | undefined;
  try {
    const stock = new StockStore(await openStateBucket(link, 'inventory'), options.initialStock ?? DEFAULT_INITIAL_STOCK);
    const replay = await openHopReplayStore(link);
    operations = await startEstateOperations(link);
    const ops = operations;
    const app = await NestFactory.createMicroservice(InventoryModule.register(hopBindingOptions(link, replay), stock, [() => replay.close(), () => link.close(), () => ops?.close()]), {
      strategy: estateServerNats(link),
      logger: options.logger ?? ['error', 'warn', 'log'],
    });
    return { app, link, operations };
  } catch (error) {
    await operations?.close();
    await link.close();
    throw error;
  }
}
