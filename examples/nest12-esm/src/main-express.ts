import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';
import { createBindingOptions } from './binding-options.js';
import { settingsFrom } from './settings.js';

const settings = settingsFrom(process.env);
const app = await NestFactory.create(AppModule.with(await createBindingOptions(settings)));
await app.listen(settings.port, '127.0.0.1');
console.log(`listening on ${await app.getUrl()} (express)`);
