import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { EstateConfigError, loadEstateConfig } from '#estate';
import { createOrdersApp } from './create-orders-app.js';

async function main(): Promise<void> {
  const config = loadEstateConfig(process.env, 'orders');
  const { app, operations } = await createOrdersApp(config);
  app.enableShutdownHooks();
  await app.listen();
  new Logger('Orders').log(`serving orders.create and orders.get as ${config.spiffeId}${operations === undefined ? '' : `; /healthz and /readyz on 127.0.0.1:${operations.port}`}`);
}

main().catch((error: unknown) => {
  if (error instanceof EstateConfigError) {
    console.error(`orders: bad configuration: ${error.message}`);
  } else {
    console.error('orders: failed to start:', error instanceof Error ? error.message : error);
  }
  process.exit(1);
});
