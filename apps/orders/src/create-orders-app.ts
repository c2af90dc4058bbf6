import type { INestMicroservice, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ClientProxyFactory, type ClientProxy } from '@nestjs/microservices';
import {
  estateOutboundClient,
  hopBindingOptions,
  openHopReplayStore,
  natsClientOptions,
  natsMicroserviceOptions,
  openEstateLink,
  openStateBucket,
  type EstateConfig,
  type EstateLink,
} from '#estate';
import { OrdersModule } from './orders.module.js';
import { OrderStore } from './orders/order-store.js';

export interface OrdersApp {
  /** Not listening yet: call `listen()`. `close()` closes everything it opened. */
  readonly app: INestMicroservice;
  readonly link: EstateLink;
}

/**
 * Orders on the fabric: its link (revocations, STS keys, estate CA), its state bucket, the guard's
 * hop verifier for `orders.*`, and a ClientNats with the outbound client for calling inventory.
 */
export async function createOrdersApp(config: EstateConfig<'orders'>, options: { readonly logger?: false | LogLevel[] } = {}): Promise<OrdersApp> {
  const link = await openEstateLink(config);
  let client: ClientProxy | undefined;
  try {
    const orders = new OrderStore(await openStateBucket(link, 'orders'));
    client = ClientProxyFactory.create(natsClientOptions(config));
    await client.connect();
    const connected = client;
    const outbound = estateOutboundClient(link, connected);
    const replay = await openHopReplayStore(link);
    const app = await NestFactory.createMicroservice(
      OrdersModule.register(hopBindingOptions(link, replay), orders, outbound, [() => replay.close(), () => link.close(), () => connected.close()]),
      { ...natsMicroserviceOptions(config), logger: options.logger ?? ['error', 'warn', 'log'] },
    );
    return { app, link };
  } catch (error) {
    await client?.close();
    await link.close();
    throw error;
  }
}
