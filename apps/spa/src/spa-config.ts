import { z } from 'zod';
import { parseEnvironment, variable, type AppConfiguration, type Env } from '#estate';

/**
 * The SPA server's configuration, read once from the environment and validated at start-up
 * against SPA_VARIABLES (zod): a bad variable stops the process with a message that names it.
 * Nothing else reads process.env. ConfigModule namespace `spa` (spaConfiguration).
 *
 * The page learns where the authorization server and the edge are from `/config.json`, which
 * the server renders from this object; the same origins go into the page's Content-Security-
 * Policy (`connect-src`), so the page can talk to those two and nothing else.
 *
 * The variables the SPA shares with the other apps keep their names and meaning there:
 * AUTH_ISSUER (as the edge and auth read it), EDGE_PUBLIC_URL and EDGE_AUDIENCE (as the edge
 * reads them; the SPA calls the first and names the second as its `resource`).
 */
export interface SpaConfig {
  readonly port: number;
  readonly host: string;
  /** The SPA's own origin as the browser sees it; the redirect URI is `<origin>/callback`. */
  readonly publicUrl: string;
  readonly redirectUri: string;
  /** The authorization server (RFC 8414 discovery at `<issuer>/.well-known/openid-configuration`). */
  readonly issuer: string;
  /** The edge's public origin: where the page sends its resource requests. */
  readonly edgeUrl: string;
  /** The edge's resource indicator (RFC 8707): the `resource` the page asks a token for. */
  readonly resource: string;
  readonly clientId: string;
  readonly scope: string;
}

export const DEFAULT_SPA_PORT = 5173;
export const DEFAULT_SPA_HOST = '127.0.0.1';
export const DEFAULT_AUTH_ISSUER = 'http://localhost:4000';
export const DEFAULT_EDGE_PUBLIC_URL = 'http://localhost:3000';
export const DEFAULT_SPA_CLIENT_ID = 'spa';
export const DEFAULT_SPA_SCOPE = 'orders:read orders:write';
/** Must match one of AUTH_SPA_REDIRECT_URIS at the authorization server. */
export const CALLBACK_PATH = '/callback';

/**
 * Every variable the SPA server reads, with its rule and default. The origins are origins only:
 * they go into CSP `connect-src` and are compared with the browser's Origin. EDGE_AUDIENCE is kept
 * exactly as written (as at the edge and the authorization server), because the authorization
 * server compares it as a string; it defaults to the edge's public URL.
 */
export const SPA_VARIABLES = {
  SPA_PORT: variable.integer(DEFAULT_SPA_PORT, 0, 65535),
  SPA_HOST: variable.optional(),
  // Default: http://localhost:<SPA_PORT>.
  SPA_PUBLIC_URL: variable.httpUrl({ form: 'origin' }),
  EDGE_PUBLIC_URL: variable.httpUrl({ form: 'origin' }),
  EDGE_AUDIENCE: variable.httpUrl(),
  SPA_CLIENT_ID: variable.matching(/^[\x20-\x7E]+$/, 'must be printable ASCII'),
  AUTH_ISSUER: variable.httpUrl({ form: 'origin' }),
  // Sent as one space-separated string.
  SPA_SCOPE: variable.scopes(DEFAULT_SPA_SCOPE).transform((tokens) => tokens.join(' ')),
};

export const spaEnvironment = z.object(SPA_VARIABLES);

export function loadSpaConfig(env: Env): SpaConfig {
  const vars = parseEnvironment(spaEnvironment, env);
  const publicUrl = vars.SPA_PUBLIC_URL ?? new URL(`http://localhost:${vars.SPA_PORT}`).origin;
  const edgeUrl = vars.EDGE_PUBLIC_URL ?? DEFAULT_EDGE_PUBLIC_URL;
  return Object.freeze({
    port: vars.SPA_PORT,
    host: vars.SPA_HOST ?? DEFAULT_SPA_HOST,
    publicUrl,
    redirectUri: `${publicUrl}${CALLBACK_PATH}`,
    issuer: vars.AUTH_ISSUER ?? DEFAULT_AUTH_ISSUER,
    edgeUrl,
    resource: vars.EDGE_AUDIENCE ?? edgeUrl,
    clientId: vars.SPA_CLIENT_ID ?? DEFAULT_SPA_CLIENT_ID,
    scope: vars.SPA_SCOPE,
  });
}

/** ConfigModule namespace `spa`: the SPA server's configuration from the process environment. */
export const spaConfiguration: AppConfiguration<'spa', SpaConfig> = { namespace: 'spa', load: loadSpaConfig };
