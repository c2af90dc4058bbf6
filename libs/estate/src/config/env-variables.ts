import { z } from 'zod';
import { checkHttpUrl, parseEnvironment, variable, type Env, type HttpUrlOptions, type ListVariableOptions } from './env-schema.js';

/**
 * One variable read on its own, under the same zod rules as the apps' schemas (env-schema.ts):
 * for code that reads a variable or two outside an app's schema (telemetry's OPS_PORT, the
 * provisioning job). Each returns a plain value or throws an EstateConfigError that names the
 * variable (`NAME: problem`); a blank value counts as unset.
 *
 * Called as `optionalVariable(env, 'NAME')`: test/compose finds the variables read by that
 * literal shape, so a name is never built at run time.
 */
export type { Env, HttpUrlForm, HttpUrlOptions, ListVariableOptions } from './env-schema.js';

function read<S extends z.ZodType>(env: Env, name: string, schema: S): z.output<S> {
  return parseEnvironment(z.object({ [name]: schema }), env)[name] as z.output<S>;
}

/** The trimmed value, or undefined when the variable is unset or blank. */
export function optionalVariable(env: Env, name: string): string | undefined {
  return read(env, name, variable.optional());
}

/** The trimmed value; unset or blank is refused, with an example of a good value if given. */
export function requiredVariable(env: Env, name: string, example?: string): string {
  return read(env, name, variable.required(example));
}

/** A decimal integer from `min` to `max` (inclusive); `fallback` when unset. No sign, exponent or fraction. */
export function integerVariable(env: Env, name: string, fallback: number, min: number, max: number): number {
  return read(env, name, variable.integer(fallback, min, max));
}

/** One of `values`; the first when unset. */
export function oneOfVariable<T extends string>(env: Env, name: string, values: readonly [T, ...T[]]): T {
  return read(env, name, variable.oneOf(values));
}

/** The items of a separated list, trimmed, without empty ones. */
export function listVariable(env: Env, name: string, options: ListVariableOptions = {}): string[] {
  return read(env, name, variable.list(options));
}

/**
 * An absolute http(s) URL read from variable `name` (the caller reads it, so it can supply a
 * default or take one item of a list); see HttpUrlForm. Returns it exactly as written, except for
 * `origin`, which returns `url.origin`.
 */
export function httpUrlVariable(name: string, raw: string, options: HttpUrlOptions = {}): string {
  return read({ [name]: raw }, name, z.string().transform((value, ctx) => checkHttpUrl(value, options, ctx)));
}
