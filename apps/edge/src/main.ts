import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { configurationFromEnvironment, EstateConfigError, startAppTelemetry, startHttpAppOperations } from '#estate';
import { createEdgeApp } from './create-edge-app.js';
import { edgeConfiguration } from './edge-config.js';

async function main(): Promise<void> {
  // O1-O4 first: the SDK per OTEL_* (HTTP server spans; nothing exported when unset).
  const telemetry = startAppTelemetry('edge', process.env, { http: true });
  // ConfigModule, namespace `edge`: validated once; a bad variable rejects naming it.
  const config = await configurationFromEnvironment(edgeConfiguration);
  const app = await createEdgeApp(config);
  await app.listen(config.port, config.host);
  // Prometheus text on the operations port (OPS_PORT, 127.0.0.1), never on the public port.
  const operations = await startHttpAppOperations(process.env, telemetry);
  if (operations !== undefined) app.getHttpServer().once('close', () => void operations.close());
  new Logger('Edge').log(
    `listening on ${await app.getUrl()} as ${config.publicUrl}; issuer ${config.issuer}; nonces ${config.nonceMode}` +
      (operations === undefined ? '' : `; /metrics on 127.0.0.1:${operations.port}`),
  );
}

main().catch((error: unknown) => {
  if (error instanceof EstateConfigError) {
    console.error(`edge: bad configuration: ${error.message}`);
  } else {
    console.error('edge: failed to start:', error instanceof Error ? error.message : error);
  }
  process.exit(1);
});
