import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { EstateConfigError } from '#estate';
import { createEdgeApp } from './create-edge-app.js';
import { loadEdgeConfig } from './edge-config.js';

async function main(): Promise<void> {
  const config = loadEdgeConfig(process.env);
  const app = await createEdgeApp(config);
  await app.listen(config.port, config.host);
  new Logger('Edge').log(`listening on ${await app.getUrl()} as ${config.publicUrl}; issuer ${config.issuer}; nonces ${config.nonceMode}`);
}

main().catch((error: unknown) => {
  if (error instanceof EstateConfigError) {
    console.error(`edge: bad configuration: ${error.message}`);
  } else {
    console.error('edge: failed to start:', error instanceof Error ? error.message : error);
  }
  process.exit(1);
});
