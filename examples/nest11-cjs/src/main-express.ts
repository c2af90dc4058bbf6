import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { settingsFrom } from './settings';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(AppModule);
  await app.listen(settingsFrom(process.env).port, '127.0.0.1');
  console.log(`listening on ${await app.getUrl()} (express)`);
}
void bootstrap();
