import { EstateConfigError, httpUrlVariable, integerVariable, listVariable, optionalVariable, type Env } from '#estate';

/**
 * The SPA server's configuration, read once from the environment and validated at start-up: a
 * bad variable stops the process with a message that names it. Nothing else reads process.env.
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

/** An origin only: it goes into CSP `connect-src` and is compared with the browser's Origin. */
function origin(name: string, raw: string): string {
  return httpUrlVariable(name, raw, { form: 'origin' });
}

// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), separated by single spaces.
function scope(env: Env): string {
  const tokens = listVariable(env, 'SPA_SCOPE', { fallback: DEFAULT_SPA_SCOPE, separator: /\s+/ });
  if (tokens.some((token) => !/^[\x21\x23-\x5B\x5D-\x7E]+$/.test(token))) {
    throw new EstateConfigError('SPA_SCOPE', 'holds a character RFC 6749 §3.3 does not allow in a scope');
  }
  return tokens.join(' ');
}

/**
 * As at the edge and the authorization server: EDGE_AUDIENCE defaults to the edge's public URL,
 * and is kept exactly as written, because the authorization server compares it as a string.
 */
function resourceIndicator(raw: string | undefined, edgeUrl: string): string {
  if (raw === undefined) return edgeUrl;
  return httpUrlVariable('EDGE_AUDIENCE', raw);
}

export function loadSpaConfig(env: Env): SpaConfig {
  const listenPort = integerVariable(env, 'SPA_PORT', DEFAULT_SPA_PORT, 0, 65535);
  const publicUrl = origin('SPA_PUBLIC_URL', optionalVariable(env, 'SPA_PUBLIC_URL') ?? `http://localhost:${listenPort}`);
  const edgeUrl = origin('EDGE_PUBLIC_URL', optionalVariable(env, 'EDGE_PUBLIC_URL') ?? DEFAULT_EDGE_PUBLIC_URL);
  const resourceRaw = optionalVariable(env, 'EDGE_AUDIENCE');
  const clientId = optionalVariable(env, 'SPA_CLIENT_ID') ?? DEFAULT_SPA_CLIENT_ID;
  if (!/^[\x20-\x7E]+$/.test(clientId)) throw new EstateConfigError('SPA_CLIENT_ID', 'must be printable ASCII');
  return Object.freeze({
    port: listenPort,
    host: optionalVariable(env, 'SPA_HOST') ?? DEFAULT_SPA_HOST,
    publicUrl,
    redirectUri: `${publicUrl}${CALLBACK_PATH}`,
    issuer: origin('AUTH_ISSUER', optionalVariable(env, 'AUTH_ISSUER') ?? DEFAULT_AUTH_ISSUER),
    edgeUrl,
    resource: resourceIndicator(resourceRaw, edgeUrl),
    clientId,
    scope: scope(env),
  });
}
