import { describe, expect, it } from '@jest/globals';
import { isCanonicalBase64url } from './canonical-base64url.js';

describe('isCanonicalBase64url (RFC 4648 §3.5, RFC 7515 §2)', () => {
  it('accepts what an encoder writes: any length, no padding', () => {
    for (const bytes of [[0], [0xff, 0xee], [1, 2, 3], Array.from({ length: 64 }, (_, i) => (i * 37) % 256)]) {
      expect(isCanonicalBase64url(Buffer.from(bytes).toString('base64url'))).toBe(true);
    }
  });

  it('E11, H4: refuses another spelling of the same bytes (non-zero pad bits in the last character)', () => {
    // One byte is 8 bits in two characters: the second carries 4 pad bits. "AA" is canonical;
    // "AB".."AP" decode to the same byte 0x00.
    expect(Buffer.from('AB', 'base64url')).toEqual(Buffer.from('AA', 'base64url'));
    expect(isCanonicalBase64url('AA')).toBe(true);
    expect(isCanonicalBase64url('AB')).toBe(false);
    // An ES256 signature: 64 bytes, 86 characters, the last carrying 4 pad bits.
    const signature = Buffer.alloc(64, 7).toString('base64url');
    const respelled = `${signature.slice(0, -1)}${signature.endsWith('w') ? 'x' : 'w'}`;
    expect(Buffer.from(respelled, 'base64url')).toEqual(Buffer.from(signature, 'base64url'));
    expect(isCanonicalBase64url(respelled)).toBe(false);
  });

  it('refuses a length no encoder produces, and padding', () => {
    expect(isCanonicalBase64url('AAAAA')).toBe(false);
    expect(isCanonicalBase64url('AA==')).toBe(false);
  });
});
