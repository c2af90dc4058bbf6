import { BindingError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';

/** Three base64url segments: header, payload, signature (RFC 7515 §7.1). */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * E18, H8, cheap syntax before any decoding, hashing or key lookup: the token is one compact JWS
 * (RFC 9068 §2.1: "JWT access tokens MUST be signed" and "MUST NOT use none as the signing
 * algorithm"; an unsigned JWT has an empty third segment) no longer than `maxLength` characters,
 * so an oversized value costs nothing. Encrypted tokens (a JWE has five segments), which RFC 9068
 * §4 allows by agreement, are not supported here. Does not decode the segments: jose does.
 */
export function checkTokenSyntax(token: unknown, maxLength: number): asserts token is string {
  if (typeof token !== 'string' || token.length === 0) {
    throw new BindingError(FailureType.TokenMalformed, 'token is missing or not a string');
  }
  if (token.length > maxLength) {
    throw new BindingError(FailureType.TokenMalformed, `token is longer than ${maxLength} characters`);
  }
  if (!COMPACT_JWS.test(token)) {
    throw new BindingError(FailureType.TokenMalformed, 'token is not a compact signed JWT');
  }
}
