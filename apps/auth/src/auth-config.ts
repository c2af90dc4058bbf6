/**
 * The authorization server's configuration, read once from the environment and validated at
 * start-up: a bad variable stops the process with a message that names it. Nothing else reads
 * process.env. Every variable is documented in apps/auth/README.md.
 */
import { isAbsolute, resolve } from 'node:path';
import {
  EstateConfigError,
  httpUrlVariable,
  integerVariable,
  listVariable,
  oneOfVariable,
  optionalVariable,
  type Env,
} from '#estate';

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

// RFC 8707 §2: the resource is an absolute URI without a fragment; we also refuse a query so
// that `aud` compares as a plain string at the edge.
function resourceIndicator(env: Env): string {
  return httpUrlVariable('EDGE_AUDIENCE', optionalVariable(env, 'EDGE_AUDIENCE') ?? DEFAULT_RESOURCE);
}

function spaRedirectUris(env: Env): string[] {
  return listVariable(env, 'AUTH_SPA_REDIRECT_URIS', { fallback: DEFAULT_SPA_REDIRECT_URIS, nonEmpty: true }).map((uri) =>
    httpUrlVariable('AUTH_SPA_REDIRECT_URIS', uri, { form: 'with-query' }),
  );
}

// RFC 8252 §7.3 and §8.3: native apps use the loopback IP literal, not "localhost", over http.
function mobileRedirectUris(env: Env): string[] {
  return listVariable(env, 'AUTH_MOBILE_REDIRECT_URIS', { fallback: DEFAULT_MOBILE_REDIRECT_URIS, nonEmpty: true }).map((uri) => {
    const url = new URL(httpUrlVariable('AUTH_MOBILE_REDIRECT_URIS', uri, { form: 'with-query' }));
    if (url.protocol !== 'http:' || (url.hostname !== '127.0.0.1' && url.hostname !== '[::1]')) {
      throw new EstateConfigError('AUTH_MOBILE_REDIRECT_URIS', `must be loopback redirects like http://127.0.0.1/callback (RFC 8252 §7.3), got "${uri}"`);
    }
    return uri;
  });
}

function nonceSecret(env: Env, mode: NonceMode): Buffer | undefined {
  const raw = optionalVariable(env, 'AUTH_DPOP_NONCE_SECRET');
  if (raw === undefined) {
    if (mode === 'required') {
      throw new EstateConfigError('AUTH_DPOP_NONCE_SECRET', 'is required when AUTH_DPOP_NONCE=required (32 random bytes, base64url)');
    }
    return undefined;
  }
  const secret = /^[A-Za-z0-9_-]+$/.test(raw) ? Buffer.from(raw, 'base64url') : Buffer.alloc(0);
  if (secret.length !== NONCE_SECRET_BYTES) {
    throw new EstateConfigError('AUTH_DPOP_NONCE_SECRET', `must be exactly ${NONCE_SECRET_BYTES} bytes, base64url-encoded (43 characters)`);
  }
  return secret;
}

function devUsers(env: Env): DevUser[] {
  const users = listVariable(env, 'AUTH_DEV_USERS', { fallback: DEFAULT_DEV_USERS, nonEmpty: true }).map((entry) => {
    const colon = entry.indexOf(':');
    const username = entry.slice(0, colon);
    const password = entry.slice(colon + 1);
    if (colon < 1 || password === '' || !/^[A-Za-z0-9._@-]+$/.test(username)) {
      throw new EstateConfigError('AUTH_DEV_USERS', 'must look like "alice:password,bob:password" (usernames: letters, digits, ._@-)');
    }
    return Object.freeze({ username, password });
  });
  if (new Set(users.map((user) => user.username)).size !== users.length) {
    throw new EstateConfigError('AUTH_DEV_USERS', 'lists a username twice');
  }
  return users;
}

export function loadAuthConfig(env: Env, cwd: string = process.cwd()): AuthConfig {
  const port = integerVariable(env, 'AUTH_PORT', DEFAULT_AUTH_PORT, 0, 65535);
  const nonceMode = oneOfVariable<NonceMode>(env, 'AUTH_DPOP_NONCE', ['off', 'required']);
  const scopes = listVariable(env, 'AUTH_RESOURCE_SCOPES', { fallback: DEFAULT_RESOURCE_SCOPES, separator: /\s+/, nonEmpty: true });
  if (scopes.some((scope) => !/^[\x21\x23-\x5B\x5D-\x7E]+$/.test(scope))) {
    // RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
    throw new EstateConfigError('AUTH_RESOURCE_SCOPES', 'holds a character RFC 6749 §3.3 does not allow in a scope');
  }
  const keysFile = optionalVariable(env, 'AUTH_KEYS_FILE');
  const adminToken = optionalVariable(env, 'AUTH_ADMIN_TOKEN');
  if (adminToken !== undefined && adminToken.length < MIN_ADMIN_TOKEN_LENGTH) {
    throw new EstateConfigError('AUTH_ADMIN_TOKEN', `must be at least ${MIN_ADMIN_TOKEN_LENGTH} characters`);
  }
  return Object.freeze({
    port,
    host: optionalVariable(env, 'AUTH_HOST') ?? DEFAULT_AUTH_HOST,
    issuer: httpUrlVariable('AUTH_ISSUER', optionalVariable(env, 'AUTH_ISSUER') ?? `http://localhost:${port}`, {
      form: 'origin',
      originReason: 'the provider is mounted at /',
    }),
    resource: resourceIndicator(env),
    resourceScopes: Object.freeze(scopes),
    spaRedirectUris: Object.freeze(spaRedirectUris(env)),
    mobileRedirectUris: Object.freeze(mobileRedirectUris(env)),
    accessTokenTtlSeconds: integerVariable(env, 'AUTH_ACCESS_TOKEN_TTL_S', DEFAULT_ACCESS_TOKEN_TTL_S, 10, 86_400),
    refreshTokenTtlSeconds: integerVariable(env, 'AUTH_REFRESH_TOKEN_TTL_S', DEFAULT_REFRESH_TOKEN_TTL_S, 60, 30 * 86_400),
    nonceMode,
    nonceSecret: nonceSecret(env, nonceMode),
    keysFile: keysFile === undefined ? undefined : isAbsolute(keysFile) ? keysFile : resolve(cwd, keysFile),
    adminToken,
    devUsers: Object.freeze(devUsers(env)),
  });
}
