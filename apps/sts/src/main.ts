import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { configurationFromEnvironment, EstateConfigError, startAppTelemetry } from '#estate';
import { createStsApp } from './create-sts-app.js';
import { stsConfiguration } from './sts-config.js';

async function main(): Promise<void> {
  // O1-O4 first: the SDK per OTEL_* (nothing exported when unset), Prometheus text with OPS_PORT.
  startAppTelemetry('sts', process.env);
  // ConfigModule, namespace `sts`: validated once; a bad variable rejects naming it.
  const config = await configurationFromEnvironment(stsConfiguration);
  const { app, keys, operations } = await createStsApp(config);
  app.enableShutdownHooks();
  await app.listen();
  new Logger('Sts').log(
    `serving sts.exchange and sts.jwks as ${config.estate.spiffeId}; external issuer ${config.externalIssuer} for ${config.externalAudience}; ` +
      `tokens ${config.tokenTtlSeconds}s; signing kid ${keys.current.kid}, rotation ${config.keyRotationSeconds === 0 ? 'off' : `${config.keyRotationSeconds}s`}` +
      (operations === undefined ? '' : `; /healthz, /readyz and /metrics on 127.0.0.1:${operations.port}`),
  );
}

main().catch((error: unknown) => {
  if (error instanceof EstateConfigError) {
    console.error(`sts: bad configuration: ${error.message}`);
  } else {
    console.error('sts: failed to start:', error instanceof Error ? error.message : error);
  }
  process.exit(1);
});
