import { describe, expect, it } from '@jest/globals';
import { BindingConfigError } from '../errors/binding-error.js';
import { integerOption, integerRangeProblem, isIntegerIn } from './integer-range.js';

describe('integerRangeProblem: the one integer-range rule', () => {
  it('accepts a safe integer within the range, both bounds inclusive', () => {
    for (const value of [1, 2, 600]) expect(integerRangeProblem(value, 1, 600)).toBeUndefined();
    expect(integerRangeProblem(0, 0, 0)).toBeUndefined();
    expect(integerRangeProblem(Number.MAX_SAFE_INTEGER, 1)).toBeUndefined();
  });

  it('refuses what is below, above, fractional, not finite, unsafe or not a number, naming the range and the value', () => {
    expect(integerRangeProblem(0, 1, 600)).toBe('must be an integer from 1 to 600, got 0');
    expect(integerRangeProblem(601, 1, 600)).toBe('must be an integer from 1 to 600, got 601');
    expect(integerRangeProblem(1.5, 1, 600)).toBe('must be an integer from 1 to 600, got 1.5');
    expect(integerRangeProblem(Number.NaN, 1, 600)).toBe('must be an integer from 1 to 600, got NaN');
    expect(integerRangeProblem(Number.POSITIVE_INFINITY, 1)).toBe('must be an integer of at least 1, got Infinity');
    expect(integerRangeProblem(2 ** 53, 1)).toBe(`must be an integer of at least 1, got ${2 ** 53}`);
    expect(integerRangeProblem('60', 1, 600)).toBe('must be an integer from 1 to 600, got "60"');
    expect(integerRangeProblem(undefined, 1, 600)).toBe('must be an integer from 1 to 600, got undefined');
    expect(integerRangeProblem(null, 1, 600)).toBe('must be an integer from 1 to 600, got null');
    expect(integerRangeProblem({}, 1, 600)).toBe('must be an integer from 1 to 600, got object');
    expect(integerRangeProblem(10n, 1, 600)).toBe('must be an integer from 1 to 600, got 10');
  });

  it('shows a long string cut short, and text read elsewhere as given', () => {
    expect(integerRangeProblem('9'.repeat(100), 1, 600)).toBe(`must be an integer from 1 to 600, got "${'9'.repeat(40)}…"`);
    expect(integerRangeProblem(Number.NaN, 0, 65535, '"lots"')).toBe('must be an integer from 0 to 65535, got "lots"');
  });
});

describe('integerOption', () => {
  it('returns a good value and throws BindingConfigError naming the option, the range and the value otherwise', () => {
    expect(integerOption(60, 'DPoP: iatPastSeconds', 1, 600)).toBe(60);
    expect(() => integerOption(0, 'DPoP: iatPastSeconds', 1, 600)).toThrow(new BindingConfigError('DPoP: iatPastSeconds must be an integer from 1 to 600, got 0'));
    expect(() => integerOption(-1, 'revocation list: maxEntries', 1)).toThrow(new BindingConfigError('revocation list: maxEntries must be an integer of at least 1, got -1'));
  });
});

describe('isIntegerIn', () => {
  it('is the same rule as a type guard', () => {
    expect(isIntegerIn(1, 1, 2)).toBe(true);
    expect(isIntegerIn(2, 1)).toBe(true);
    for (const value of [0, 3, 1.5, '1', Number.NaN, undefined]) expect(isIntegerIn(value, 1, 2)).toBe(false);
  });
});
