import type { DynamicModule } from '@nestjs/common';
import { ConfigModule, ConfigService, getConfigToken, registerAs, type ConfigFactory, type ConfigFactoryKeyHost } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import type { Env } from './env-schema.js';

/**
 * An app's configuration the Nest way: a `registerAs` namespace (`edge`, `auth`, `sts`, `spa`,
 * `nats`) whose value is the app's frozen, typed configuration, validated by ConfigModule's
 * `validate` hook at module construction. The rules are the app's zod schema, applied by its pure
 * loader (`loadEdgeConfig(env)` ...), which tests, the bench and the estate call directly with an
 * environment of their own; here it is called once, on what ConfigModule read (process.env, no
 * .env file: the demo and the containers set the environment), and the namespace hands its result
 * on. A bad variable rejects the module with the loader's EstateConfigError (`NAME: problem`).
 */
export interface AppConfiguration<N extends string, T> {
  readonly namespace: N;
  /** The pure loader: validates `env` with the app's schema into the frozen configuration. */
  readonly load: (env: Env) => T;
}

export type AppConfigService<N extends string, T> = ConfigService<Record<N, T>, true>;

/** The namespace factory for ConfigModule's `load` and its `validate` hook, sharing one validated result. */
export function appConfigFactory<N extends string, T extends object>(
  configuration: AppConfiguration<N, T>,
): { readonly factory: ConfigFactory<T> & ConfigFactoryKeyHost<T>; readonly validate: (env: Record<string, unknown>) => Record<string, unknown> } {
  let loaded: T | undefined;
  const factory = registerAs(configuration.namespace, (): T => {
    if (loaded === undefined) throw new Error(`${configuration.namespace}: configuration read before ConfigModule validated it`);
    return loaded;
  });
  return {
    factory,
    // Runs before any provider: the environment is validated (and the namespace built) exactly once.
    validate: (env) => {
      loaded = configuration.load(env as Env);
      return env;
    },
  };
}

/** `ConfigModule.forRoot` for one app: global, no .env file, its namespace loaded and validated. */
export function appConfigModule<N extends string, T extends object>(configuration: AppConfiguration<N, T>): Promise<DynamicModule> {
  const { factory, validate } = appConfigFactory(configuration);
  return ConfigModule.forRoot({ ignoreEnvFile: true, isGlobal: true, load: [factory], validate });
}

/** The injection token of a namespace (`CONFIGURATION(edge)`), for `@Inject(...)` where a provider wants the whole object. */
export function appConfigToken(namespace: string): string {
  return getConfigToken(namespace);
}

/**
 * The app module's side: its namespace holding `config`, already validated (by ConfigModule at
 * start-up, or by a test's own call of the loader), so its providers read it through
 * `ConfigService<Record<N, T>, true>` or the namespace token, never from process.env.
 */
export function appConfigFeature<N extends string, T extends object>(namespace: N, config: T): DynamicModule {
  return ConfigModule.forFeature(registerAs(namespace, () => config));
}

/**
 * The app's configuration from the process environment, through ConfigModule, before the app's
 * parts are built: an app chooses its HTTP adapter, opens its NATS link and its microservice
 * transport from it, all before NestFactory creates the app itself. Rejects with the
 * EstateConfigError naming the bad variable (Nest's own abort on a start-up error is off, so the
 * entry point prints it and exits 1).
 */
export async function configurationFromEnvironment<N extends string, T extends object>(configuration: AppConfiguration<N, T>): Promise<T> {
  // Quiet, but not `logger: false`: that drops Nest's global logger for the app created next.
  // The app's own NestFactory call sets its levels again.
  const context = await NestFactory.createApplicationContext(await appConfigModule(configuration), { logger: ['fatal'], abortOnError: false });
  try {
    const config: AppConfigService<N, T> = context.get(ConfigService);
    return config.get<T>(configuration.namespace);
  } finally {
    await context.close();
  }
}
