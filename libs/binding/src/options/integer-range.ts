import { BindingConfigError } from '../errors/binding-error.js';

/**
 * The one integer-range rule of every setting in the estate (a verifier's option, a store's cap, an
 * environment variable, a script's argument): a safe integer from `min` to `max`, both inclusive;
 * no fraction, NaN, infinity or numeric string. One rule, one message format, which names the
 * range and the value found: `must be an integer from 1 to 600, got 0` (or `of at least 1` when
 * there is no upper bound).
 *
 * Returns that problem, or undefined when `value` is within the range. `shown` replaces the
 * rendering of the value, for a caller that parsed it from text (an environment variable shows
 * the text it read).
 */
export function integerRangeProblem(value: unknown, min: number, max: number = Number.POSITIVE_INFINITY, shown?: string): string | undefined {
  if (isIntegerIn(value, min, max)) return undefined;
  const range = max === Number.POSITIVE_INFINITY ? `of at least ${min}` : `from ${min} to ${max}`;
  return `must be an integer ${range}, got ${shown ?? describe(value)}`;
}

/** The rule itself, as a type guard, for a check that answers without a message (a peer's reply). */
export function isIntegerIn(value: unknown, min: number, max: number = Number.POSITIVE_INFINITY): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max;
}

/**
 * `value`, checked by integerRangeProblem once, at construction; a mistake throws
 * BindingConfigError `${name} must be an integer from ${min} to ${max}, got ${value}`, so `name`
 * says which setting of which component (e.g. `DPoP: iatPastSeconds`).
 */
export function integerOption(value: unknown, name: string, min: number, max: number = Number.POSITIVE_INFINITY): number {
  const problem = integerRangeProblem(value, min, max);
  if (problem !== undefined) throw new BindingConfigError(`${name} ${problem}`);
  return value as number;
}

const MAX_SHOWN_LENGTH = 40; // characters of a string value repeated in a message

/** A number as written, a string quoted (and cut short), anything else by its type. */
function describe(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > MAX_SHOWN_LENGTH ? `${value.slice(0, MAX_SHOWN_LENGTH)}…` : value);
  return value === null ? 'null' : typeof value;
}
