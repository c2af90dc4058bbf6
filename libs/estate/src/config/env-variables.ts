import { EstateConfigError } from './estate-config-error.js';

/**
 * The readers every app's configuration loader is built from: each reads one environment
 * variable, trims it, and either returns a plain value or throws an EstateConfigError that names
 * the variable (`NAME: problem`). A blank value counts as unset, so `NAME=` in a compose file
 * means "use the default". Rules that belong to one app (a resource indicator, scope syntax, a
 * secret's length) stay in that app's loader.
 *
 * Loaders call them as `optionalVariable(env, 'NAME')`: test/compose finds the variables an app
 * reads by that literal shape, so a name is never built at run time.
 */
export type Env = Readonly<Record<string, string | undefined>>;

/** The trimmed value, or undefined when the variable is unset or blank. */
export function optionalVariable(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/** The trimmed value; unset or blank is refused, with an example of a good value if given. */
export function requiredVariable(env: Env, name: string, example?: string): string {
  const value = optionalVariable(env, name);
  if (value === undefined) throw new EstateConfigError(name, example === undefined ? 'is required' : `is required, e.g. ${example}`);
  return value;
}

/** A decimal integer from `min` to `max` (inclusive); `fallback` when unset. No sign, exponent or fraction. */
export function integerVariable(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = optionalVariable(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new EstateConfigError(name, `must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

/** One of `values`; the first when unset. */
export function oneOfVariable<T extends string>(env: Env, name: string, values: readonly [T, ...T[]]): T {
  const value = optionalVariable(env, name) ?? values[0];
  if (!(values as readonly string[]).includes(value)) throw new EstateConfigError(name, `must be one of ${values.join(', ')}`);
  return value as T;
}

export interface ListVariableOptions {
  /** Read instead when the variable is unset or blank; none by default (an empty list). */
  readonly fallback?: string;
  /** Between items; a comma by default. Items are trimmed and empty ones dropped. */
  readonly separator?: RegExp;
  /** Refuse a value that lists nothing (such as ","), rather than returning an empty list. */
  readonly nonEmpty?: boolean;
}

/** The items of a separated list, trimmed, without empty ones. */
export function listVariable(env: Env, name: string, options: ListVariableOptions = {}): string[] {
  const raw = optionalVariable(env, name) ?? options.fallback ?? '';
  const items = raw.split(options.separator ?? /,/).map((item) => item.trim()).filter((item) => item !== '');
  if (options.nonEmpty === true && items.length === 0) throw new EstateConfigError(name, 'must list at least one value');
  return items;
}

/**
 * What an http(s) URL may hold besides its scheme, host, port and path:
 * - `origin`: nothing, not even a path; the value read is the URL's serialized origin;
 * - `plain` (the default): no credentials, query or fragment;
 * - `with-query`: no credentials or fragment, a query allowed (a redirect URI);
 * - `any`: anything an http(s) URL can hold.
 */
export type HttpUrlForm = 'origin' | 'plain' | 'with-query' | 'any';

export interface HttpUrlOptions {
  readonly form?: HttpUrlForm;
  /** With `origin`: appended to the refusal of a path, to say why or what to use instead. */
  readonly originReason?: string;
}

/**
 * An absolute http(s) URL read from variable `name` (the caller reads it, so it can supply a
 * default or take one item of a list). Returns it exactly as written, because issuers and
 * resource indicators are compared as strings, except for `origin`, which returns `url.origin`.
 */
export function httpUrlVariable(name: string, raw: string, options: HttpUrlOptions = {}): string {
  const form = options.form ?? 'plain';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new EstateConfigError(name, `is not an absolute URL: "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new EstateConfigError(name, 'must be an http(s) URL');
  if (form === 'any') return raw;
  const credentials = url.username !== '' || url.password !== '';
  if (form === 'with-query') {
    if (credentials || url.hash !== '') throw new EstateConfigError(name, 'must not carry credentials or a fragment');
    return raw;
  }
  if (credentials || url.search !== '' || url.hash !== '') throw new EstateConfigError(name, 'must not carry credentials, a query or a fragment');
  if (form === 'plain') return raw;
  if (url.pathname !== '/') {
    const reason = options.originReason === undefined ? '' : `; ${options.originReason}`;
    throw new EstateConfigError(name, `must be an origin (scheme, host, port; no path)${reason}`);
  }
  return url.origin;
}
