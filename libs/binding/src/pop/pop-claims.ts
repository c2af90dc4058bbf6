import { BindingError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import { isNumericDate } from '../time/numeric-date.js';
import { parseJsonObject } from './compact-jws.js';
import type { PopProfile } from './pop-profile.js';

/**
 * The longest `jti` a proof of either profile may carry by default. RFC 9449 §11.1: "a server that
 * is tracking jti values should reject DPoP proof JWTs with unnecessarily large jti values"; the
 * same holds for a hop proof, whose `jti` the receiver records too (WPT-02 §2). 96 random bits
 * (RFC 9449 §4.2) are 16 base64url characters; a UUID is 36; our hop signer's 128 bits are 22.
 */
export const DEFAULT_MAX_JTI_LENGTH = 256; // characters

/**
 * E10, H2: the verified payload (RFC 7519 §7.2 (10): the JWS payload is the claims set, "a
 * UTF-8-encoded JSON object"), decoded as strict UTF-8 JSON that is an object; else MalformedProof.
 * Runs on the bytes verifyPopSignature returned, after it: nothing is decoded twice.
 * Does not type any claim: the readers below, called by the profile's claims parser, do.
 */
export function decodePopClaims(payload: Uint8Array, profile: PopProfile): Readonly<Record<string, unknown>> {
  return parseJsonObject(payload, 'claims', profile);
}

/**
 * E10, H2: `jti` a non-empty string of at most `maxLength` characters (RFC 9449 §11.1: "a server
 * that is tracking jti values should reject DPoP proof JWTs with unnecessarily large jti values").
 * Fails with ProofClaims. Does not check it is unused: claimOnce does, last.
 */
export function readJti(value: unknown, maxLength: number, profile: PopProfile): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength) {
    throw new BindingError(FailureType.ProofClaims, `${profile.name} jti is missing, empty or too long`);
  }
  return value;
}

/** E10, H2: a required claim that is a non-empty string; else ProofClaims. */
export function readNonEmptyString(value: unknown, name: string, profile: PopProfile): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new BindingError(FailureType.ProofClaims, `${profile.name} ${name} is missing or not a non-empty string`);
  }
  return value;
}

/** E10: an optional claim that, when present, is a non-empty string; else ProofClaims. */
export function readOptionalString(value: unknown, name: string, profile: PopProfile): string | undefined {
  return value === undefined ? undefined : readNonEmptyString(value, name, profile);
}

/**
 * E10, H2: `iat`, `exp`, `nbf` are NumericDates (RFC 7519 §4.1.4-§4.1.6), and RFC 7519 §2 says
 * "non-integer values can be represented": fractions are read as sent (`Date.now() / 1000`
 * unfloored), a negative, non-finite (`1e999`) or non-number value fails with ProofClaims.
 * Does not compare it with the clock: checkIatWindow and the profile's expiry check do.
 */
export function readNumericDate(value: unknown, name: string, profile: PopProfile): number {
  if (!isNumericDate(value)) {
    throw new BindingError(FailureType.ProofClaims, `${profile.name} ${name} is missing or not a NumericDate`);
  }
  return value;
}
