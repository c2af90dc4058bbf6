import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';
import { settingsFrom } from './settings';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, new FastifyAdapter());
  await app.listen(settingsFrom(process.env).port, '127.0.0.1');
  console.log(`listening on ${await app.getUrl()} (fastify)`);
}
void bootstrap();
