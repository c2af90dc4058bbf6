/**
 * Entry point: `node dist/apps/auth/main.js` (npm run start:auth). Reads the environment once;
 * a configuration mistake exits with status 1 and a message naming the variable.
 */
import { Logger } from '@nestjs/common';
import { configurationFromEnvironment, EstateConfigError, startAppTelemetry, startHttpAppOperations } from '#estate';
import { authConfiguration, type AuthConfig } from './auth-config.js';
import { startAuthServer } from './start-auth-server.js';

// ConfigModule, namespace `auth`: validated once; a bad variable rejects naming it.
async function configFromEnvironment(): Promise<AuthConfig> {
  try {
    return await configurationFromEnvironment(authConfiguration);
  } catch (error) {
    if (error instanceof EstateConfigError) {
      console.error(`auth: bad configuration: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
}

// O1-O4 first: the SDK per OTEL_* (HTTP server spans; nothing exported when unset).
const telemetry = startAppTelemetry('auth', process.env, { http: true });
const config = await configFromEnvironment();
const server = await startAuthServer(config);
// Prometheus text on the operations port (OPS_PORT, 127.0.0.1), never on the public port.
const operations = await startHttpAppOperations(process.env, telemetry);
const log = new Logger('auth');
log.log(`issuer ${server.issuer}, listening on ${server.url}${operations === undefined ? '' : `; /metrics on 127.0.0.1:${operations.port}`}`);
log.log(`access tokens for ${config.resource} (${config.resourceScopes.join(' ')}), ${config.accessTokenTtlSeconds}s, signed by kid ${server.signingKid}`);
log.log(`DPoP nonces ${config.nonceMode}; signing keys ${config.keysFile === undefined ? 'in memory' : `in ${config.keysFile}`}`);
log.warn(`demo login enabled for development users: ${config.devUsers.map((user) => user.username).join(', ')} (AUTH_DEV_USERS)`);
if (config.adminToken !== undefined) log.log('POST /admin/signing-keys/rotate enabled (AUTH_ADMIN_TOKEN)');

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void Promise.all([server.close(), operations?.close(), telemetry.telemetry.shutdown()]).then(() => process.exit(0));
  });
}
