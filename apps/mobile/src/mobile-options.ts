/**
 * The mobile client's settings, validated once into a frozen object. The CLI fills them from
 * flags and MOBILE_* variables (cli-arguments.ts); programs pass them directly.
 */
import { isAbsolute, resolve } from 'node:path';
import { integerRangeProblem, parseScope } from '#binding/core';

export interface MobileOptions {
  /** Authorization server issuer; discovery is fetched from it. */
  readonly issuer: string;
  readonly clientId: string;
  /** Resource indicator (RFC 8707) of the API the tokens are for: the edge. */
  readonly resource: string;
  readonly scope: string;
  /** Folder for the DPoP key file and the token file (0600 each). */
  readonly stateDir: string;
  /** Path of the loopback redirect URI registered at the server. */
  readonly redirectPath: string;
  /** Allow plain http to hosts other than loopback (e.g. a compose network). */
  readonly allowHttp: boolean;
  readonly loginTimeoutMs: number;
}

export const DEFAULT_ISSUER = 'http://localhost:4000';
export const DEFAULT_CLIENT_ID = 'mobile';
export const DEFAULT_RESOURCE = 'http://localhost:3000';
export const DEFAULT_SCOPE = 'orders:read orders:write';
export const DEFAULT_STATE_DIR = '.estate/mobile';
export const DEFAULT_REDIRECT_PATH = '/callback';
export const DEFAULT_LOGIN_TIMEOUT_MS = 300_000; // five minutes for a person at a browser
export const DPOP_KEY_FILE = 'dpop-key.json';
export const TOKEN_FILE = 'tokens.json';

export class MobileOptionsError extends Error {
  constructor(setting: string, problem: string) {
    super(`${setting}: ${problem}`);
    this.name = 'MobileOptionsError';
  }
}

function httpUrl(setting: string, raw: string): string {
  if (!URL.canParse(raw)) throw new MobileOptionsError(setting, `is not an absolute URL: "${raw}"`);
  const url = new URL(raw);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new MobileOptionsError(setting, 'must be an http(s) URL');
  if (url.hash !== '') throw new MobileOptionsError(setting, 'must not carry a fragment');
  return raw;
}

export function mobileOptions(input: Partial<MobileOptions> = {}, cwd: string = process.cwd()): MobileOptions {
  const stateDir = input.stateDir ?? DEFAULT_STATE_DIR;
  const redirectPath = input.redirectPath ?? DEFAULT_REDIRECT_PATH;
  if (!/^\/[A-Za-z0-9._~/-]*$/.test(redirectPath)) throw new MobileOptionsError('redirectPath', 'must be a plain absolute path like /callback');
  // RFC 6749 §3.3, the library's one scope grammar: space-delimited scope-tokens, sent as such.
  const scopes = parseScope(input.scope ?? DEFAULT_SCOPE);
  if (scopes === undefined) throw new MobileOptionsError('scope', 'holds a character RFC 6749 §3.3 does not allow in a scope');
  if (scopes.length === 0) throw new MobileOptionsError('scope', 'must not be empty');
  const scope = scopes.join(' ');
  const loginTimeoutMs = input.loginTimeoutMs ?? DEFAULT_LOGIN_TIMEOUT_MS;
  const timeoutProblem = integerRangeProblem(loginTimeoutMs, 1);
  if (timeoutProblem !== undefined) throw new MobileOptionsError('loginTimeoutMs', timeoutProblem);
  return Object.freeze({
    issuer: httpUrl('issuer', input.issuer ?? DEFAULT_ISSUER),
    clientId: input.clientId ?? DEFAULT_CLIENT_ID,
    resource: httpUrl('resource', input.resource ?? DEFAULT_RESOURCE),
    scope,
    stateDir: isAbsolute(stateDir) ? stateDir : resolve(cwd, stateDir),
    redirectPath,
    allowHttp: input.allowHttp ?? false,
    loginTimeoutMs,
  });
}

const LOOPBACK_HOSTS = new Set(['localhost', '[::1]']);
const LOOPBACK_IPV4 = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/; // the URL parser has normalised the address

/**
 * Whether a plain-http request to `url` may be made. oauth4webapi refuses http unless told
 * otherwise; loopback is allowed for local development, anything else only with allowHttp.
 */
export function allowsInsecure(options: MobileOptions, url: URL): boolean {
  if (url.protocol !== 'http:') return false;
  return options.allowHttp || LOOPBACK_HOSTS.has(url.hostname) || LOOPBACK_IPV4.test(url.hostname);
}
