import type { INestMicroservice, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  estateClientNats,
  estateOutboundClient,
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
  type RotatingClientNats,
} from '#estate';
import { OrdersModule } from './orders.module.js';
import { OrderStore } from './orders/order-store.js';

export interface OrdersApp {
  /** Not listening yet: call `listen()`. `close()` closes everything it opened. */
  readonly app: INestMicroservice;
  readonly link: EstateLink;
  /** The operations server (/healthz, /readyz) when OPS_PORT is set. */
  readonly operations: OperationsServer | undefined;
}

export interface OrdersAppOptions {
  readonly logger?: false | LogLevel[];
  /** How the certificate files are watched; tests shorten the poll. */
  readonly identity?: EstateLinkOptions['identity'];
}

/**
 * Orders on the fabric: its link (revocations, STS keys, estate CA), its state bucket, the guard's
 * hop verifier for `orders.*`, and a ClientNats with the outbound client for calling inventory.
 * Its certificate is followed as it is renewed (L2-L4): the signer, the trust anchors, the link's
 * connection, the microservice's and the client's connections all move without a restart.
 */
export async function createOrdersApp(config: EstateConfig<'orders'>, options: OrdersAppOptions = {}): Promise<OrdersApp> {
  const link = await openEstateLink(config, options.identity === undefined ? {} : { identity: options.identity });
  let client: RotatingClientNats | undefined;
  let operations: OperationsServer | undefined;
  try {
    const orders = new OrderStore(await openStateBucket(link, 'orders'));
    client = estateClientNats(link);
    await client.connect();
    const connected = client;
    const outbound = estateOutboundClient(link, connected);
    const replay = await openHopReplayStore(link);
    operations = await startEstateOperations(link);
    const ops = operations;
    const app = await NestFactory.createMicroservice(
      OrdersModule.register(hopBindingOptions(link, replay), orders, outbound, [() => replay.close(), () => link.close(), () => connected.close(), () => ops?.close()]),
      { strategy: estateServerNats(link), logger: options.logger ?? ['error', 'warn', 'log'] },
    );
    return { app, link, operations };
  } catch (error) {
    await operations?.close();
    await client?.close();
    await link.close();
    throw error;
  }
}
