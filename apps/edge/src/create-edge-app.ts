import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { dpopCorsOptions } from '#binding/dpop';
import { closeOnClientError } from './close-on-client-error.js';
import type { EdgeConfig } from './edge-config.js';
import { EdgeModule } from './edge.module.js';

/**
 * The edge on Fastify by default, on Express with EDGE_HTTP_ADAPTER=express (the guard works on
 * both; `npm run bench` compares them). Used by main.ts and by the e2e tests, which start the same
 * app on a free port.
 */
export async function createEdgeApp(config: EdgeConfig): Promise<INestApplication> {
  const adapter = config.httpAdapter === 'express' ? new ExpressAdapter() : new FastifyAdapter({ clientErrorHandler: closeOnClientError });
  const app = await NestFactory.create(EdgeModule.register(config), adapter, {
    logger: ['error', 'warn', 'log'],
  });
  // On Express, Node's own answer says Connection: close but resets a client still sending its
  // oversized headers; a 'clientError' listener replaces it with the same handler as on Fastify.
  if (config.httpAdapter === 'express') app.getHttpServer().on('clientError', closeOnClientError);
  if (config.corsOrigins.length > 0) app.enableCors(dpopCorsOptions(config.corsOrigins));
  app.enableShutdownHooks();
  return app;
}
