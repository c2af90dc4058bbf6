/**
 * Entry point: `node dist/apps/spa/main.js` (npm run start:spa). Serves the built page from
 * dist/apps/spa/public/ (written by `npm run build`). A configuration mistake exits with
 * status 1 and a message naming the variable.
 */
import { fileURLToPath } from 'node:url';
import { configurationFromEnvironment, EstateConfigError } from '#estate';
import { spaConfiguration, type SpaConfig } from './spa-config.js';
import { startSpaServer } from './spa-server.js';

const PUBLIC_DIR = fileURLToPath(new URL('./public/', import.meta.url));

// ConfigModule, namespace `spa`: validated once; a bad variable rejects naming it.
async function configFromEnvironment(): Promise<SpaConfig> {
  try {
    return await configurationFromEnvironment(spaConfiguration);
  } catch (error) {
    if (error instanceof EstateConfigError) {
      console.error(`spa: bad configuration: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
}

const config = await configFromEnvironment();
const server = await startSpaServer(config, PUBLIC_DIR).catch((error: unknown) => {
  console.error(`spa: failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
console.log(`spa: listening on ${server.url}, page at ${config.publicUrl}/ (issuer ${config.issuer}, edge ${config.edgeUrl})`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void server.close().then(() => process.exit(0));
  });
}
