import { isIntegerIn } from '#binding/core';

/**
 * Certificate lifetimes, in seconds. Workload certificates are short-lived (SECURITY.md L1):
 * 1 h by default, as SPIRE's default X.509-SVID TTL, and down to 30 s for the demo and tests.
 */

/** SPIRE's default X.509-SVID TTL. */
export const DEFAULT_LEAF_TTL_S = 3_600; // seconds
/** The shortest leaf lifetime the estate accepts (L1: "down to 30 s for tests"). */
export const MIN_LEAF_TTL_S = 30; // seconds
/** SPIRE's default ca_ttl: a dev CA that rolls over twice a day at the default rollover fraction. */
export const DEFAULT_CA_TTL_S = 86_400; // seconds
/** Clock skew between hosts that a backdated notBefore absorbs, for lifetimes of 10 min and more. */
export const MAX_BACKDATE_S = 60; // seconds
/**
 * Backdating is at most this share of the lifetime: a minute of backdating would more than
 * triple a 30 s certificate's real validity, and a renewal at half-life would then come after
 * the workload expected it.
 */
export const BACKDATE_FRACTION = 0.1;

const SECOND_MS = 1_000; // milliseconds
const DURATION_UNITS_S: Readonly<Record<string, number>> = Object.freeze({ s: 1, m: 60, h: 3_600, d: 86_400 });

export interface ValidityWindow {
  readonly notBefore: Date;
  readonly notAfter: Date;
}

/** How far notBefore is set back for a certificate of this lifetime (whole seconds). */
export function backdateSeconds(lifetimeSeconds: number): number {
  return Math.min(MAX_BACKDATE_S, Math.floor(lifetimeSeconds * BACKDATE_FRACTION));
}

/**
 * notBefore backdated by backdateSeconds(), notAfter `lifetimeSeconds` after `nowMs`, both on a
 * whole second: X.509 times carry no fractions, so the dates here are exactly the certificate's
 * and a timer set at notAfter fires when the certificate really expires.
 */
export function validityWindow(nowMs: number, lifetimeSeconds: number): ValidityWindow {
  assertLifetime(lifetimeSeconds, 'lifetimeSeconds', 1);
  const now = Math.floor(nowMs / SECOND_MS) * SECOND_MS;
  return {
    notBefore: new Date(now - backdateSeconds(lifetimeSeconds) * SECOND_MS),
    notAfter: new Date(now + lifetimeSeconds * SECOND_MS),
  };
}

export function assertLifetime(seconds: number, name: string, minimum: number): void {
  if (!isIntegerIn(seconds, minimum)) {
    throw new TypeError(`${name} must be a whole number of seconds, at least ${minimum}, got ${String(seconds)}`);
  }
}

/** `30s`, `15m`, `1h`, `2d` or a bare number of seconds, into whole seconds. */
export function parseDurationSeconds(text: string, name: string): number {
  const match = /^(\d+)\s*([smhd]?)$/.exec(text.trim());
  if (match === null) throw new TypeError(`${name}: expected a duration such as 30s, 15m, 1h or 2d, got "${text}"`);
  return Number(match[1]) * DURATION_UNITS_S[match[2] || 's']!;
}

/** Half-life: when a certificate is renewed (SPIRE agents and spiffe-helper renew at half the SVID lifetime). */
export function halfLife(window: ValidityWindow): number {
  return window.notBefore.getTime() + (window.notAfter.getTime() - window.notBefore.getTime()) / 2;
}
