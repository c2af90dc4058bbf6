import type { RenewerClock } from '../../certs/renewer-clock.js';

/**
 * A clock the test moves: the renewer's timers fire in order as time is advanced, and after each
 * one the renewer is given time to finish the step it started (settle), so an hour of renewals
 * runs in the time the crypto and the file writes take.
 */
export class ManualClock implements RenewerClock {
  #now: number;
  #sequence = 0;
  readonly #timers = new Map<number, { readonly atMs: number; readonly callback: () => void }>();

  constructor(startMs: number) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  setTimer(callback: () => void, delayMs: number): unknown {
    const id = ++this.#sequence;
    this.#timers.set(id, { atMs: this.#now + Math.max(0, delayMs), callback });
    return id;
  }

  clearTimer(handle: unknown): void {
    this.#timers.delete(handle as number);
  }

  pending(): number {
    return this.#timers.size;
  }

  /** Fires every timer due up to `targetMs`, earliest first (ties in the order they were set), settling after each. */
  async advanceTo(targetMs: number, settle: () => Promise<void>): Promise<void> {
    await settle();
    for (;;) {
      const due = [...this.#timers].filter(([, timer]) => timer.atMs <= targetMs).sort(([a, x], [b, y]) => x.atMs - y.atMs || a - b)[0];
      if (due === undefined) break;
      this.#timers.delete(due[0]);
      this.#now = Math.max(this.#now, due[1].atMs);
      due[1].callback();
      await settle();
    }
    this.#now = Math.max(this.#now, targetMs);
  }

  advance(ms: number, settle: () => Promise<void>): Promise<void> {
    return this.advanceTo(this.#now + ms, settle);
  }
}
