import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { dpopCorsOptions } from '#binding';
import type { EdgeConfig } from './edge-config.js';
import { EdgeModule } from './edge.module.js';

/**
 * The edge on Fastify (it measured faster than Express for this workload; the guard works on
 * both). Used by main.ts and by the e2e tests, which start the same app on a free port.
 */
export async function createEdgeApp(config: EdgeConfig): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(EdgeModule.register(config), new FastifyAdapter(), {
    logger: ['error', 'warn', 'log'],
  });
  if (config.corsOrigins.length > 0) app.enableCors(dpopCorsOptions(config.corsOrigins));
  app.enableShutdownHooks();
  return app;
}
