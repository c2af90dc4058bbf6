import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { configurationFromEnvironment, EstateConfigError, natsConfiguration, startAppTelemetry } from '#estate';
import { createOrdersApp } from './create-orders-app.js';

async function main(): Promise<void> {
  // O1-O4 first: the SDK per OTEL_* (nothing exported when unset), Prometheus text with OPS_PORT.
  startAppTelemetry('orders', process.env);
  // ConfigModule, namespace `nats`: validated once; a bad variable rejects naming it.
  const config = await configurationFromEnvironment(natsConfiguration('orders'));
  const { app, operations } = await createOrdersApp(config);
  app.enableShutdownHooks();
  await app.listen();
  new Logger('Orders').log(`serving orders.create and orders.get as ${config.spiffeId}${operations === undefined ? '' : `; /healthz, /readyz and /metrics on 127.0.0.1:${operations.port}`}`);
}

main().catch((error: unknown) => {
  if (error instanceof EstateConfigError) {
    console.error(`orders: bad configuration: ${error.message}`);
  } else {
    console.error('orders: failed to start:', error instanceof Error ? error.message : error);
  }
  process.exit(1);
});
