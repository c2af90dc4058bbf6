import { createHash, timingSafeEqual } from 'node:crypto';

/** base64url(SHA-256(input)), the form of `ath` (RFC 9449 §4.2), `x5t#S256` (RFC 8705 §3.1) and `pdh`. */
export function sha256Base64url(input: string | Uint8Array): string {
  return createHash('sha256').update(input).digest('base64url');
}

/**
 * Compares two strings without leaking, through timing, where they first differ. Both sides are
 * hashed first so that inputs of different lengths take the same path (timingSafeEqual needs
 * equal lengths); the length of a secret is not revealed either.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = createHash('sha256').update(a).digest();
  const right = createHash('sha256').update(b).digest();
  return timingSafeEqual(left, right);
}
