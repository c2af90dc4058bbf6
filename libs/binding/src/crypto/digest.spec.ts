import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { RFC9449_RESOURCE_REQUEST } from '../dpop/rfc-examples.fixture.js';
import { constantTimeEqual, digestEquals, sha256Base64url } from './digest.js';

describe('sha256Base64url', () => {
  it('E19: RFC 9449 §7.1 example: ath is base64url(SHA-256(the access token as sent))', () => {
    expect(sha256Base64url(RFC9449_RESOURCE_REQUEST.accessToken)).toBe(RFC9449_RESOURCE_REQUEST.ath);
  });

  it('E19: strings hash as UTF-8 and bytes as given, exactly as createHash does', () => {
    for (const input of ['', 'abc', 'héllo ✓', 'x'.repeat(16_384)]) {
      expect(sha256Base64url(input)).toBe(createHash('sha256').update(input, 'utf8').digest('base64url'));
    }
    const bytes = Uint8Array.from([0, 1, 2, 255]);
    expect(sha256Base64url(bytes)).toBe(createHash('sha256').update(bytes).digest('base64url'));
  });
});

describe('digestEquals', () => {
  const expected = sha256Base64url('token');

  it('E19, E20: the digest itself is equal', () => {
    expect(digestEquals(expected, sha256Base64url('token'))).toBe(true);
  });

  it('E19, E20: a value differing in its first or last character, or in case, is not', () => {
    const first = `${expected[0] === 'A' ? 'B' : 'A'}${expected.slice(1)}`;
    const last = `${expected.slice(0, -1)}${expected.endsWith('A') ? 'B' : 'A'}`;
    for (const presented of [first, last, expected.toLowerCase() === expected ? expected.toUpperCase() : expected.toLowerCase()]) {
      expect(digestEquals(presented, expected)).toBe(false);
    }
  });

  it('E19, E20: a shorter, longer or empty value is refused, not thrown on', () => {
    for (const presented of ['', expected.slice(1), `${expected}A`, `${expected}=`]) {
      expect(digestEquals(presented, expected)).toBe(false);
    }
  });

  it('E19, E20: a non-ASCII value of the same character length (more UTF-8 bytes) is refused, not thrown on', () => {
    const presented = `é${expected.slice(1)}`;
    expect(presented).toHaveLength(expected.length);
    expect(digestEquals(presented, expected)).toBe(false);
  });

  it('agrees with constantTimeEqual on every case above', () => {
    for (const presented of [expected, '', `${expected}A`, `é${expected.slice(1)}`, sha256Base64url('other')]) {
      expect(digestEquals(presented, expected)).toBe(constantTimeEqual(presented, expected));
    }
  });
});
