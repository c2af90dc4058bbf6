import { integerRangeProblem, parseScope } from '#binding/core';
import { z } from 'zod';
import { EstateConfigError } from './estate-config-error.js';

/**
 * The rules every app's environment is validated with, as zod schemas: each app's configuration
 * file declares one object of them, keyed by variable name (`EDGE_PORT: variable.integer(...)`),
 * and parses its environment with it once at start-up, through `parseEnvironment` (the pure
 * loaders, tests) or ConfigModule's `validate` (the apps, app-configuration.ts). A refusal is an
 * EstateConfigError naming the variable: `NAME: problem`.
 *
 * Every value is trimmed, and a blank one counts as unset, so `NAME=` in a compose file or .env
 * means "use the default". The rules the library owns (integer ranges, scope syntax) are
 * libs/binding's; rules that belong to one app (a resource indicator, a secret's length) stay in
 * that app's schema.
 *
 * Schemas are written as `NAME: variable.<kind>(...)` object keys: test/compose finds the variables
 * an app reads by that literal shape, so a name is never built at run time.
 */
export type Env = Readonly<Record<string, string | undefined>>;

/** Trimmed; blank is undefined. Non-strings pass through for zod to refuse. */
function blankAsUnset(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

const optionalText = z.preprocess(blankAsUnset, z.string().optional());

/** Fails the parse at the current variable with `problem` (zod prefixes nothing; the path names it). */
function refuse(ctx: z.RefinementCtx, problem: string): never {
  ctx.addIssue({ code: 'custom', message: problem });
  return z.NEVER as never;
}

/** The trimmed value, or undefined when unset or blank. */
function optional() {
  return optionalText;
}

/** The trimmed value; unset or blank is refused, with an example of a good value if given. */
function required(example?: string) {
  return optionalText.transform((raw, ctx) => raw ?? refuse(ctx, example === undefined ? 'is required' : `is required, e.g. ${example}`));
}

/**
 * The text of a decimal integer from `min` to `max` (inclusive), as a number: decimal digits only
 * (no sign, exponent, fraction or hex, which Number() would read), then the library's one
 * integer-range rule and message (integerRangeProblem), showing the text as read.
 */
function integerIn(raw: string, min: number, max: number, ctx: z.RefinementCtx): number {
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  const problem = integerRangeProblem(value, min, max, JSON.stringify(raw));
  return problem === undefined ? value : refuse(ctx, problem);
}

/** A decimal integer from `min` to `max`; `fallback` when unset (not checked against the range: a caller may derive it). */
function integer(fallback: number, min: number, max: number) {
  return optionalText.transform((raw, ctx) => (raw === undefined ? fallback : integerIn(raw, min, max, ctx)));
}

/** As `integer`, but undefined when unset: the setting is off, or derived elsewhere. */
function optionalInteger(min: number, max: number) {
  return optionalText.transform((raw, ctx) => (raw === undefined ? undefined : integerIn(raw, min, max, ctx)));
}

/** The trimmed value, undefined when unset; a set value must match `pattern`, or is refused with `problem`. */
function matching(pattern: RegExp, problem: string) {
  return optionalText.transform((raw, ctx) => (raw === undefined || pattern.test(raw) ? raw : refuse(ctx, problem)));
}

/** One of `values`; the first when unset. */
function oneOf<T extends string>(values: readonly [T, ...T[]]) {
  return optionalText.transform((raw, ctx): T => {
    const value = raw ?? values[0];
    return (values as readonly string[]).includes(value) ? (value as T) : refuse(ctx, `must be one of ${values.join(', ')}`);
  });
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
function splitList(raw: string | undefined, options: ListVariableOptions, ctx: z.RefinementCtx): string[] {
  const items = (raw ?? options.fallback ?? '').split(options.separator ?? /,/).map((item) => item.trim()).filter((item) => item !== '');
  return options.nonEmpty === true && items.length === 0 ? refuse(ctx, 'must list at least one value') : items;
}

function list(options: ListVariableOptions = {}) {
  return optionalText.transform((raw, ctx) => splitList(raw, options, ctx));
}

/**
 * A space-delimited scope (RFC 6749 §3.3), as its tokens, each once; `fallback` when unset. The
 * library's one scope grammar (parseScope): only spaces delimit, so a tab or a line break is refused.
 */
function scopes(fallback: string, options: { readonly nonEmpty?: boolean } = {}) {
  return optionalText.transform((raw, ctx) => {
    const tokens = parseScope(raw ?? fallback);
    if (tokens === undefined) return refuse(ctx, 'holds a character RFC 6749 §3.3 does not allow in a scope');
    return options.nonEmpty === true && tokens.length === 0 ? refuse(ctx, 'must list at least one value') : [...tokens];
  });
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
 * An absolute http(s) URL. Returns it exactly as written, because issuers and resource indicators
 * are compared as strings, except for `origin`, which returns `url.origin`.
 */
export function checkHttpUrl(raw: string, options: HttpUrlOptions, ctx: z.RefinementCtx): string {
  const form = options.form ?? 'plain';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse(ctx, `is not an absolute URL: "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return refuse(ctx, 'must be an http(s) URL');
  if (form === 'any') return raw;
  const credentials = url.username !== '' || url.password !== '';
  if (form === 'with-query') return credentials || url.hash !== '' ? refuse(ctx, 'must not carry credentials or a fragment') : raw;
  if (credentials || url.search !== '' || url.hash !== '') return refuse(ctx, 'must not carry credentials, a query or a fragment');
  if (form === 'plain') return raw;
  if (url.pathname !== '/') {
    const reason = options.originReason === undefined ? '' : `; ${options.originReason}`;
    return refuse(ctx, `must be an origin (scheme, host, port; no path)${reason}`);
  }
  return url.origin;
}

/** An http(s) URL, undefined when unset (the caller derives a default, e.g. from a port). */
function httpUrl(options: HttpUrlOptions = {}) {
  return optionalText.transform((raw, ctx) => (raw === undefined ? undefined : checkHttpUrl(raw, options, ctx)));
}

/** A required http(s) URL. */
function requiredHttpUrl(options: HttpUrlOptions = {}) {
  return required().transform((raw, ctx) => checkHttpUrl(raw, options, ctx));
}

/** A separated list of http(s) URLs, each checked. */
function httpUrlList(list: ListVariableOptions, options: HttpUrlOptions = {}) {
  return optionalText.transform((raw, ctx) => {
    const items = splitList(raw, list, ctx);
    // A refused list is z.NEVER, not an array: stop at the first problem.
    return Array.isArray(items) ? items.map((item) => checkHttpUrl(item, options, ctx)) : items;
  });
}

/** The kinds of variable a schema is built from; see the file comment for how they are written. */
export const variable = Object.freeze({ optional, required, matching, integer, optionalInteger, oneOf, list, scopes, httpUrl, requiredHttpUrl, httpUrlList });

/** Variable name -> its schema: one app's (or one concern's) environment. */
export type VariableShape = Readonly<Record<string, z.ZodType>>;

/**
 * Adds a refusal of `name` from an object-level rule (one that compares two variables), in the
 * same `NAME: problem` form as a single variable's.
 */
export function refuseVariable(ctx: z.RefinementCtx, name: string, problem: string): void {
  ctx.addIssue({ code: 'custom', path: [name], message: problem });
}

/**
 * Parses `env` with `schema` into its typed output, or throws an EstateConfigError naming the
 * first variable refused (in the schema's order, so the same environment always names the same
 * one). Variables the schema does not name are ignored.
 */
export function parseEnvironment<S extends z.ZodType>(schema: S, env: Env): z.output<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const name = typeof issue.path[0] === 'string' ? issue.path[0] : 'environment';
  // zod's own messages (a non-string value) are rare here: the environment holds strings.
  throw new EstateConfigError(name, issue.message);
}
