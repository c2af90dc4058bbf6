import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { EstateConfigError, loadEstateConfig } from '#estate';
import { createInventoryApp } from './create-inventory-app.js';

async function main(): Promise<void> {
  const config = loadEstateConfig(process.env, 'inventory');
  const { app, operations } = await createInventoryApp(config);
  app.enableShutdownHooks();
  await app.listen();
  new Logger('Inventory').log(`serving inventory.reserve and inventory.get as ${config.spiffeId}${operations === undefined ? '' : `; /healthz and /readyz on 127.0.0.1:${operations.port}`}`);
}

main().catch((error: unknown) => {
  if (error instanceof EstateConfigError) {
    console.error(`inventory: bad configuration: ${error.message}`);
  } else {
    console.error('inventory: failed to start:', error instanceof Error ? error.message : error);
  }
  process.exit(1);
});
