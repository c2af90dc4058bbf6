/**
 * Time as the renewer sees it: what "now" is and how it waits. Tests pass a manual clock and
 * drive hours of renewals in milliseconds; the default is the system's.
 */
export interface RenewerClock {
  now(): number;
  setTimer(callback: () => void, delayMs: number): unknown;
  clearTimer(handle: unknown): void;
}

/** Node's setTimeout fires at once beyond this (about 24.8 days); longer waits are re-armed in steps. */
export const MAX_TIMER_DELAY_MS = 2_147_483_647; // milliseconds

export const SYSTEM_CLOCK: RenewerClock = Object.freeze({
  now: () => Date.now(),
  setTimer: (callback: () => void, delayMs: number) => setTimeout(callback, Math.min(Math.max(0, delayMs), MAX_TIMER_DELAY_MS)),
  clearTimer: (handle: unknown) => clearTimeout(handle as NodeJS.Timeout),
});
