import { expect } from '@jest/globals';
import fc from 'fast-check';
import { BindingError, FAILURES } from '#binding';

/**
 * Shared by the fuzz suites: one fixed seed (a failure reproduces as is), a bound on each run, and
 * the one property every refusal must have. Override the seed with FUZZ_SEED to explore further.
 */
export const FUZZ_SEED = Number(process.env['FUZZ_SEED'] ?? 20_240_601);
/** Each run's verification must settle within this, on a loaded 2-core machine. */
export const RUN_TIMEOUT_MS = 2_000; // milliseconds
export const fuzzParameters = (numRuns: number): fc.Parameters<unknown> => ({ seed: FUZZ_SEED, numRuns, endOnFailure: true });

/**
 * Never a 500, never an accept: `action` must reject (or throw) a BindingError whose type is one
 * of FAILURES and whose code and status are that type's, within RUN_TIMEOUT_MS (never a hang).
 */
export async function expectRefusal(action: () => Promise<unknown> | unknown): Promise<BindingError> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<'hang'>((resolve) => {
    timer = setTimeout(() => resolve('hang'), RUN_TIMEOUT_MS);
  });
  const outcome = await Promise.race([
    Promise.resolve()
      .then(action)
      .then(
        () => 'accepted' as const,
        (error: unknown) => error,
      ),
    hang,
  ]).finally(() => clearTimeout(timer));
  expect(outcome).not.toBe('hang');
  expect(outcome).not.toBe('accepted');
  expect(outcome).toBeInstanceOf(BindingError);
  const error = outcome as BindingError;
  const mapping = FAILURES[error.type];
  expect(mapping).toBeDefined();
  expect({ code: error.code, status: error.status }).toEqual({ code: mapping.code, status: mapping.status });
  return error;
}

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** Characters a flip may put in: base64url, the JWS separator, padding, framing, non-ASCII. */
const FLIP_CHARACTERS = [...BASE64URL, '.', '=', '+', '/', ',', ' ', '\t', '"', '\u00e9', '\u202e', '\ud83d\ude00', '\0'];

/** A change to a compact JWS text that keeps it different from the original. */
export type TextMutation = (jws: string) => string;

/** One character replaced at a position, by another one. */
export const flippedCharacter: fc.Arbitrary<TextMutation> = fc
  .tuple(fc.nat(), fc.constantFrom(...FLIP_CHARACTERS))
  .map(([position, replacement]) => (jws: string) => {
    const index = position % jws.length;
    const current = jws[index];
    const next = replacement === current ? (current === 'A' ? 'B' : 'A') : replacement;
    return `${jws.slice(0, index)}${next}${jws.slice(index + 1)}`;
  });

/** Segments swapped, dropped, duplicated or emptied; dots added. */
export const reshapedSegments: fc.Arbitrary<TextMutation> = fc.constantFrom<TextMutation>(
  (jws) => swap(jws, 0, 1),
  (jws) => swap(jws, 1, 2),
  (jws) => swap(jws, 0, 2),
  (jws) => jws.split('.').slice(0, 2).join('.'),
  (jws) => jws.split('.').slice(1).join('.'),
  (jws) => `${jws}.${jws.split('.')[2]}`,
  (jws) => `${jws}..`,
  (jws) => jws.split('.').map((segment, index) => (index === 1 ? '' : segment)).join('.'),
  (jws) => jws.split('.').map((segment, index) => (index === 2 ? '' : segment)).join('.'),
  (jws) => `${jws}.e30.e30`, // five segments: a JWE
  (jws) => jws.replaceAll('.', ''),
);

function swap(jws: string, a: number, b: number): string {
  const segments = jws.split('.');
  [segments[a], segments[b]] = [segments[b] as string, segments[a] as string];
  return segments.join('.');
}

/** A huge value: a long base64url run inside a segment, or appended. */
export const inflated: fc.Arbitrary<TextMutation> = fc
  .tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 4_000, max: 200_000 }))
  .map(([segment, length]) => (jws: string) => jws.split('.').map((part, index) => (index === segment - 1 ? part + 'A'.repeat(length) : part)).join('.'));

/** Text that is not a JWS at all: random code points or random bytes read as latin1. */
export const randomText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
  fc.array(fc.string({ unit: 'binary-ascii', maxLength: 40 }), { maxLength: 6 }).map((parts) => parts.join('.')),
);

/** JSON-ish replacement values: wrong types, empty, huge, nested, prototype keys. */
export const oddValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, 0, -1, 1.5, Number.MAX_SAFE_INTEGER + 2, '', 'none', [], {}, { __proto__: { d: 'x' } }, 'A'.repeat(20_000)),
  fc.jsonValue({ maxDepth: 3 }),
);

export const segmentOf = (value: unknown): string => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
export const decodeSegment = (segment: string): Record<string, unknown> => JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as Record<string, unknown>;
