import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';

/**
 * The framework ceiling: a Nest app on the edge's HTTP adapter with the same route and an answer of
 * the same size, no guard, no checks. Environment: PORT, EDGE_HTTP_ADAPTER (fastify | express).
 */
@Controller()
class BareController {
  @Get('healthz')
  health(): object {
    return { status: 'ok' };
  }

  @Get('v1/me')
  me(): object {
    return { sub: 'user-42', client_id: 'test-client', scope: 'orders:read orders:write', confirmation: 'dpop', jkt: 'x'.repeat(43) };
  }
}

@Module({ controllers: [BareController] })
class BareModule {}

async function main(): Promise<void> {
  const adapter = process.env['EDGE_HTTP_ADAPTER'] === 'express' ? new ExpressAdapter() : new FastifyAdapter();
  const app = await NestFactory.create(BareModule, adapter, { logger: ['error', 'warn'] });
  app.enableShutdownHooks();
  await app.listen(Number(process.env['PORT']), '127.0.0.1');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
