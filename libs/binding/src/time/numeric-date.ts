/**
 * RFC 7519 §2 NumericDate: "A JSON numeric value representing the number of seconds from
 * 1970-01-01T00:00:00Z UTC until the specified UTC date/time, ignoring leap seconds. ... Note
 * that ... non-integer values can be represented." So a JSON number, fractions allowed (a client
 * writing `Date.now() / 1000` is conformant); not a string, not negative, and finite (JSON has no
 * NaN or Infinity, but a number like 1e999 parses to Infinity and must not pass as a time).
 * The one NumericDate rule for every proof claim (E10 `iat`, `exp`, `nbf`; H2 `iat`).
 * Does not check the value against a clock: the window checks do (E16, H6).
 */
export function isNumericDate(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}
