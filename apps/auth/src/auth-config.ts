/**
 * The authorization server's configuration, read once from the environment and validated at
 * start-up against AUTH_VARIABLES (zod): a bad variable stops the process with a message that
 * names it. Nothing else reads process.env. Every variable is documented in apps/auth/README.md.
 * ConfigModule namespace `auth` (authConfiguration).
 */
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { parseEnvironment, refuseVariable, variable, type AppConfiguration, type Env } from '#estate';

export type NonceMode = 'off' | 'required';

export interface DevUser {
  readonly username: string;
  readonly password: string;
}

export interface AuthConfig {
  readonly port: number;
  readonly host: string;
  /** Issuer identifier: an origin, because the provider is mounted at the root. */
  readonly issuer: string;
  /** The edge's resource indicator (RFC 8707) and the `aud` of every access token. */
  readonly resource: string;
  /** Scopes the edge resource defines; only these can end up in an access token. */
  readonly resourceScopes: readonly string[];
  readonly spaRedirectUris: readonly string[];
  readonly mobileRedirectUris: readonly string[];
  readonly accessTokenTtlSeconds: number;
  readonly refreshTokenTtlSeconds: number;
  readonly nonceMode: NonceMode;
  /** 32 bytes; oidc-provider derives stateless nonces from it. */
  readonly nonceSecret: Buffer | undefined;
  /** Where signing keys persist between runs; undefined keeps them in memory only. */
  readonly keysFile: string | undefined;
  /** Enables POST /admin/signing-keys/rotate for holders of this token. */
  readonly adminToken: string | undefined;
  /** Demo accounts for the plain login page. Never real users. */
  readonly devUsers: readonly DevUser[];
}

export const DEFAULT_AUTH_PORT = 4000;
export const DEFAULT_AUTH_HOST = '127.0.0.1';
export const DEFAULT_RESOURCE = 'http://localhost:3000';
export const DEFAULT_RESOURCE_SCOPES = 'orders:read orders:write';
export const DEFAULT_SPA_REDIRECT_URIS = 'http://localhost:3000/spa/callback';
// RFC 8252 §7.3: registered without a port; the provider accepts any port on a loopback IP.
export const DEFAULT_MOBILE_REDIRECT_URIS = 'http://127.0.0.1/callback';
export const DEFAULT_ACCESS_TOKEN_TTL_S = 300; // seconds
export const DEFAULT_REFRESH_TOKEN_TTL_S = 86_400; // seconds
// Demo only: printed in the README so anyone can log in to the demo.
export const DEFAULT_DEV_USERS = 'alice:wonderland,bob:builder';
const NONCE_SECRET_BYTES = 32; // oidc-provider requires exactly 32 bytes
const MIN_ADMIN_TOKEN_LENGTH = 16; // characters

function refuse(ctx: z.RefinementCtx, problem: string): never {
  ctx.addIssue({ code: 'custom', message: problem });
  return z.NEVER as never;
}

// RFC 8252 §7.3 and §8.3: native apps use the loopback IP literal, not "localhost", over http.
function loopbackRedirect(uri: string, ctx: z.RefinementCtx): string {
  const url = new URL(uri);
  if (url.protocol !== 'http:' || (url.hostname !== '127.0.0.1' && url.hostname !== '[::1]')) {
    return refuse(ctx, `must be loopback redirects like http://127.0.0.1/callback (RFC 8252 §7.3), got "${uri}"`);
  }
  return uri;
}

function nonceSecret(raw: string | undefined, ctx: z.RefinementCtx): Buffer | undefined {
  if (raw === undefined) return undefined;
  const secret = /^[A-Za-z0-9_-]+$/.test(raw) ? Buffer.from(raw, 'base64url') : Buffer.alloc(0);
  return secret.length === NONCE_SECRET_BYTES ? secret : refuse(ctx, `must be exactly ${NONCE_SECRET_BYTES} bytes, base64url-encoded (43 characters)`);
}

function devUsers(entries: string[], ctx: z.RefinementCtx): DevUser[] {
  const users: DevUser[] = [];
  for (const entry of entries) {
    const colon = entry.indexOf(':');
    const username = entry.slice(0, colon);
    const password = entry.slice(colon + 1);
    if (colon < 1 || password === '' || !/^[A-Za-z0-9._@-]+$/.test(username)) {
      return refuse(ctx, 'must look like "alice:password,bob:password" (usernames: letters, digits, ._@-)');
    }
    users.push(Object.freeze({ username, password }));
  }
  return new Set(users.map((user) => user.username)).size === users.length ? users : refuse(ctx, 'lists a username twice');
}

/** Every variable the authorization server reads, with its rule and default. */
export const AUTH_VARIABLES = {
  AUTH_PORT: variable.integer(DEFAULT_AUTH_PORT, 0, 65535),
  AUTH_HOST: variable.optional(),
  // Default: http://localhost:<AUTH_PORT>.
  AUTH_ISSUER: variable.httpUrl({ form: 'origin', originReason: 'the provider is mounted at /' }),
  // RFC 8707 §2: the resource is an absolute URI without a fragment; we also refuse a query so
  // that `aud` compares as a plain string at the edge.
  EDGE_AUDIENCE: variable.httpUrl(),
  AUTH_RESOURCE_SCOPES: variable.scopes(DEFAULT_RESOURCE_SCOPES, { nonEmpty: true }),
  AUTH_SPA_REDIRECT_URIS: variable.httpUrlList({ fallback: DEFAULT_SPA_REDIRECT_URIS, nonEmpty: true }, { form: 'with-query' }),
  AUTH_MOBILE_REDIRECT_URIS: variable
    .httpUrlList({ fallback: DEFAULT_MOBILE_REDIRECT_URIS, nonEmpty: true }, { form: 'with-query' })
    .transform((uris, ctx) => uris.map((uri) => loopbackRedirect(uri, ctx))),
  AUTH_ACCESS_TOKEN_TTL_S: variable.integer(DEFAULT_ACCESS_TOKEN_TTL_S, 10, 86_400),
  AUTH_REFRESH_TOKEN_TTL_S: variable.integer(DEFAULT_REFRESH_TOKEN_TTL_S, 60, 30 * 86_400),
  AUTH_DPOP_NONCE: variable.oneOf<NonceMode>(['off', 'required']),
  AUTH_DPOP_NONCE_SECRET: variable.optional().transform(nonceSecret),
  AUTH_KEYS_FILE: variable.optional(),
  AUTH_ADMIN_TOKEN: variable.matching(new RegExp(`^[\\s\\S]{${MIN_ADMIN_TOKEN_LENGTH},}$`), `must be at least ${MIN_ADMIN_TOKEN_LENGTH} characters`),
  AUTH_DEV_USERS: variable.list({ fallback: DEFAULT_DEV_USERS, nonEmpty: true }).transform(devUsers),
};

export const authEnvironment = z.object(AUTH_VARIABLES).superRefine((vars, ctx) => {
  if (vars.AUTH_DPOP_NONCE === 'required' && vars.AUTH_DPOP_NONCE_SECRET === undefined) {
    refuseVariable(ctx, 'AUTH_DPOP_NONCE_SECRET', 'is required when AUTH_DPOP_NONCE=required (32 random bytes, base64url)');
  }
});

export function loadAuthConfig(env: Env, cwd: string = process.cwd()): AuthConfig {
  const vars = parseEnvironment(authEnvironment, env);
  const keysFile = vars.AUTH_KEYS_FILE;
  return Object.freeze({
    port: vars.AUTH_PORT,
    host: vars.AUTH_HOST ?? DEFAULT_AUTH_HOST,
    issuer: vars.AUTH_ISSUER ?? new URL(`http://localhost:${vars.AUTH_PORT}`).origin,
    resource: vars.EDGE_AUDIENCE ?? DEFAULT_RESOURCE,
    resourceScopes: Object.freeze(vars.AUTH_RESOURCE_SCOPES),
    spaRedirectUris: Object.freeze(vars.AUTH_SPA_REDIRECT_URIS),
    mobileRedirectUris: Object.freeze(vars.AUTH_MOBILE_REDIRECT_URIS),
    accessTokenTtlSeconds: vars.AUTH_ACCESS_TOKEN_TTL_S,
    refreshTokenTtlSeconds: vars.AUTH_REFRESH_TOKEN_TTL_S,
    nonceMode: vars.AUTH_DPOP_NONCE,
    nonceSecret: vars.AUTH_DPOP_NONCE_SECRET,
    keysFile: keysFile === undefined ? undefined : isAbsolute(keysFile) ? keysFile : resolve(cwd, keysFile),
    adminToken: vars.AUTH_ADMIN_TOKEN,
    devUsers: Object.freeze(vars.AUTH_DEV_USERS),
  });
}

/** ConfigModule namespace `auth`: the authorization server's configuration from the process environment. */
export const authConfiguration: AppConfiguration<'auth', AuthConfig> = { namespace: 'auth', load: (env) => loadAuthConfig(env) };
