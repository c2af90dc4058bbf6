import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { hopBindingOptions, loadEstateConfig, natsMicroserviceOptions, openEstateLink, openHopReplayStore } from '#estate';
import { HopReceiverModule } from './hop-receiver.module.js';

/**
 * The receiver of the hop bench, run pinned to the server core: a Nest microservice on the mTLS
 * fabric as the `orders` identity (its certificate from CERTS_DIR, NATS_URL), built as
 * apps/orders/create-orders-app.ts builds orders: its estate link (revocation feed, STS keys over
 * `sts.jwks`, the estate CA), libs/estate's hopBindingOptions, BindingModule.forRoot. The replay
 * store's bounds come from HOP_REPLAY_MAX_ENTRIES / HOP_REPLAY_MAX_PER_SENDER, which the bench
 * raises (bench/harness/hop-estate.ts): one caller sends every hop. No check changes: every jti
 * is still claimed, once, in this process's memory.
 */

async function main(): Promise<void> {
  const config = loadEstateConfig(process.env, 'orders');
  const link = await openEstateLink(config);
  const replay = await openHopReplayStore(link);
  const app = await NestFactory.createMicroservice(HopReceiverModule.register(hopBindingOptions(link, replay), [() => replay.close(), () => link.close()]), {
    ...natsMicroserviceOptions(config),
    logger: ['error', 'warn'],
  });
  app.enableShutdownHooks();
  await app.listen();
}

main().catch((error: unknown) => {
  console.error('hop receiver failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
