import { isIntegerIn } from '../options/integer-range.js';

/** What a revocation names: a token (`jti`), an end user (`sub`) or a workload certificate (`x5t#S256`). */
export type RevocationKind = 'jti' | 'sub' | 'cert';

/** One announcement on `estate.revocations` (H12): revoke `value` until the epoch second `until`. */
export interface RevocationEvent {
  readonly kind: RevocationKind;
  readonly value: string;
  /** Epoch seconds; the revocation holds through this second, then lapses. */
  readonly until: number;
}

export const MAX_REVOCATION_VALUE_LENGTH = 1024; // characters
const KINDS: ReadonlySet<string> = new Set<RevocationKind>(['jti', 'sub', 'cert']);
/** RFC 8705 §3.1 `x5t#S256`: base64url of a SHA-256 digest, 43 characters without padding. */
const CERTIFICATE_THUMBPRINT = /^[A-Za-z0-9_-]{43}$/;

/**
 * Validates one revocation event, as parsed from JSON, into a frozen RevocationEvent: `kind` one
 * of `jti`, `sub`, `cert`; `value` a non-empty string of at most MAX_REVOCATION_VALUE_LENGTH
 * characters, and for `cert` a 43-character base64url SHA-256 thumbprint (a PEM or a hex digest
 * would never match and would silently revoke nothing); `until` a positive integer of epoch
 * seconds. Unknown members are ignored. Throws a TypeError naming the member at fault.
 * Does not decide whether the event is still current: MemoryRevocationList.apply does.
 */
export function parseRevocationEvent(json: unknown): RevocationEvent {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new TypeError('revocation event must be a JSON object');
  }
  const { kind, value, until } = json as Record<string, unknown>;
  if (typeof kind !== 'string' || !KINDS.has(kind)) {
    throw new TypeError('revocation event kind must be "jti", "sub" or "cert"');
  }
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_REVOCATION_VALUE_LENGTH) {
    throw new TypeError(`revocation event value must be a non-empty string of at most ${MAX_REVOCATION_VALUE_LENGTH} characters`);
  }
  if (kind === 'cert' && !CERTIFICATE_THUMBPRINT.test(value)) {
    throw new TypeError('revocation event value for kind "cert" must be a base64url SHA-256 thumbprint');
  }
  if (!isIntegerIn(until, 1)) throw new TypeError('revocation event until must be a positive integer of epoch seconds');
  return Object.freeze({ kind: kind as RevocationKind, value, until });
}
