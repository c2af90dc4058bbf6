import { describe, expect, it } from '@jest/globals';
import { parseRevocationEvent } from './revocation-event.js';

const THUMBPRINT = 'x'.repeat(43);

describe('parseRevocationEvent', () => {
  it('H12: accepts the three kinds and ignores unknown members', () => {
    expect(parseRevocationEvent({ kind: 'jti', value: 'token-1', until: 1_700_000_060, reason: 'x' })).toEqual({
      kind: 'jti',
      value: 'token-1',
      until: 1_700_000_060,
    });
    expect(parseRevocationEvent({ kind: 'sub', value: 'alice', until: 1 }).kind).toBe('sub');
    expect(Object.isFrozen(parseRevocationEvent({ kind: 'cert', value: THUMBPRINT, until: 1 }))).toBe(true);
  });

  it.each([
    ['not an object', 'jti:abc'],
    ['null', null],
    ['an array', [{ kind: 'jti', value: 'a', until: 1 }]],
    ['an unknown kind', { kind: 'key', value: 'a', until: 1 }],
    ['an empty value', { kind: 'jti', value: '', until: 1 }],
    ['a non-string value', { kind: 'sub', value: 42, until: 1 }],
    ['an over-long value', { kind: 'sub', value: 'a'.repeat(1025), until: 1 }],
    ['a cert value that is not a SHA-256 thumbprint', { kind: 'cert', value: 'ab:cd', until: 1 }],
    ['a fractional until', { kind: 'jti', value: 'a', until: 1.5 }],
    ['a string until', { kind: 'jti', value: 'a', until: '1700000000' }],
    ['a zero until', { kind: 'jti', value: 'a', until: 0 }],
  ])('H12: refuses %s with a TypeError', (_case, input) => {
    expect(() => parseRevocationEvent(input)).toThrow(TypeError);
  });
});
