import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { Inject, Injectable, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { z } from 'zod';
import { appConfigFeature, appConfigModule, appConfigToken, configurationFromEnvironment, type AppConfiguration } from './app-configuration.js';
import { EstateConfigError } from './estate-config-error.js';
import { parseEnvironment, variable, type Env } from './env-schema.js';

interface DemoConfig {
  readonly port: number;
}
const DEMO = z.object({ DEMO_CONFIG_PORT: variable.integer(8080, 1, 65535) });
const demoConfiguration: AppConfiguration<'demo', DemoConfig> = {
  namespace: 'demo',
  load: (env: Env) => Object.freeze({ port: parseEnvironment(DEMO, env).DEMO_CONFIG_PORT }),
};

@Injectable()
class Reader {
  constructor(
    @Inject(ConfigService) readonly config: ConfigService<{ demo: DemoConfig }, true>,
    @Inject(appConfigToken('demo')) readonly whole: DemoConfig,
  ) {}
}

/** ConfigModule reads process.env: each case sets its variable and puts it back. */
async function withVariable<T>(value: string | undefined, body: () => Promise<T>): Promise<T> {
  const before = process.env['DEMO_CONFIG_PORT'];
  if (value === undefined) delete process.env['DEMO_CONFIG_PORT'];
  else process.env['DEMO_CONFIG_PORT'] = value;
  try {
    return await body();
  } finally {
    if (before === undefined) delete process.env['DEMO_CONFIG_PORT'];
    else process.env['DEMO_CONFIG_PORT'] = before;
  }
}

describe('app configuration through ConfigModule', () => {
  it('validates the process environment once into the namespace, typed through ConfigService and its token', async () => {
    await withVariable('9090', async () => {
      @Module({ imports: [appConfigModule(demoConfiguration)], providers: [Reader] })
      class DemoModule {}
      const context = await NestFactory.createApplicationContext(DemoModule, { logger: false });
      const reader = context.get(Reader);
      expect(reader.config.get('demo', { infer: true })).toEqual({ port: 9090 });
      expect(reader.config.get('demo.port', { infer: true })).toBe(9090);
      expect(reader.whole).toBe(reader.config.get('demo', { infer: true }));
      await context.close();
    });
  });

  it('configurationFromEnvironment returns the frozen value, and its default when unset', async () => {
    await withVariable(undefined, async () => {
      const config = await configurationFromEnvironment(demoConfiguration);
      expect(config).toEqual({ port: 8080 });
      expect(Object.isFrozen(config)).toBe(true);
    });
  });

  it('a bad variable rejects with the EstateConfigError that names it (the entry points print it and exit 1)', async () => {
    await withVariable('0', async () => {
      await expect(configurationFromEnvironment(demoConfiguration)).rejects.toThrow(new EstateConfigError('DEMO_CONFIG_PORT', 'must be an integer from 1 to 65535, got "0"'));
    });
  });

  it('a module given an already validated value (a test\'s) reads it the same way, without process.env', async () => {
    @Module({ imports: [appConfigFeature('demo', Object.freeze({ port: 1234 }))], providers: [Reader] })
    class FeatureModule {}
    const context = await NestFactory.createApplicationContext(FeatureModule, { logger: false });
    expect(context.get(Reader).config.get('demo.port', { infer: true })).toBe(1234);
    expect(context.get(Reader).whole).toEqual({ port: 1234 });
    await context.close();
  });
});
