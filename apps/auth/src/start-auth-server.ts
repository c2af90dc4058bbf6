/**
 * Starts the authorization server: oidc-provider hosted inside a Nest (Express) application.
 * main.ts calls this with the environment's configuration; tests and demo scripts may call it
 * directly with their own.
 *
 * 1. open the signing key ring (key file or a fresh key),
 * 2. build the provider host over in-memory storage, cookie keys and demo accounts,
 * 3. create the Nest app with its body parser off (oidc-provider reads its own bodies),
 * 4. listen.
 */
import { type LoggerService, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { randomBytes } from 'node:crypto';
import { DevAccounts } from './accounts/dev-accounts.js';
import type { AuthConfig } from './auth-config.js';
import { AuthModule } from './auth.module.js';
import { type SigningKey, SigningKeyRing } from './keys/signing-key-ring.js';
import { ProviderMemory } from './provider/memory-adapter.js';
import { ProviderHost } from './provider/provider-host.js';

// Keep a retired key published a little past its last token's expiry, for clock skew at the
// resource servers.
export const KEY_RETENTION_MARGIN_S = 60; // seconds
const COOKIE_KEY_BYTES = 32;

export interface AuthServer {
  readonly issuer: string;
  /** Where the server listens, e.g. http://127.0.0.1:4000 (may differ from the issuer's host). */
  readonly url: string;
  /** The kid that signs new tokens. */
  readonly signingKid: string;
  /** Kids in the JWKS, current first. */
  readonly publishedKids: readonly string[];
  rotateSigningKey(): Promise<SigningKey>;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Nest's logger option; false silences it (tests). */
  readonly logger?: LoggerService | LogLevel[] | false;
}

export async function startAuthServer(config: AuthConfig, options: StartOptions = {}): Promise<AuthServer> {
  // ID tokens and access tokens share the access token lifetime (provider-configuration.ts).
  const ring = await SigningKeyRing.open(config.keysFile, config.accessTokenTtlSeconds + KEY_RETENTION_MARGIN_S);
  const accounts = new DevAccounts(config.devUsers);
  const host = new ProviderHost(
    { config, memory: new ProviderMemory(), cookieKeys: [randomBytes(COOKIE_KEY_BYTES).toString('base64url')], accounts },
    ring,
  );
  const app = await NestFactory.create<NestExpressApplication>(AuthModule.register({ config, host, accounts }), {
    bodyParser: false,
    logger: options.logger ?? ['log', 'warn', 'error'],
  });
  app.disable('x-powered-by');
  await app.listen(config.port, config.host);
  const address = app.getHttpServer().address() as { port: number };
  return {
    issuer: config.issuer,
    url: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${address.port}`,
    get signingKid() {
      return host.signingKid;
    },
    get publishedKids() {
      return host.publishedKids;
    },
    rotateSigningKey: () => host.rotateSigningKey(),
    async close() {
      host.close();
      await app.close();
    },
  };
}
