/**
 * Starts the real authorization server in this process on a free 127.0.0.1 port, configured the
 * way main.ts would configure it from these variables.
 */
import { loadAuthConfig } from '../../../apps/auth/src/auth-config.js';
import { startAuthServer, type AuthServer } from '../../../apps/auth/src/start-auth-server.js';
import { freePort } from '../../../test-support/free-port.js';

export const TEST_RESOURCE = 'http://localhost:3000';
export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789';

export async function startTestAuthServer(env: Record<string, string> = {}): Promise<AuthServer> {
  const port = await freePort();
  const config = loadAuthConfig({
    AUTH_PORT: String(port),
    AUTH_ISSUER: `http://127.0.0.1:${port}`,
    EDGE_AUDIENCE: TEST_RESOURCE,
    AUTH_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    ...env,
  });
  return startAuthServer(config, { logger: false });
}
