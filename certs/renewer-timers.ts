import { MAX_TIMER_DELAY_MS, type RenewerClock } from './renewer-clock.js';

/**
 * The renewer's work: one step at a time (a renewal, a rollover step, a pins rewrite never
 * interleave, so no two of them race on the same file), and timers keyed by what they are for
 * (`leaf:<name>`, `expire:<x5t#S256>`, `ca:promote`, ...), one per key: scheduling a key again
 * replaces its timer. A timer's task runs in the queue. After stop() nothing is scheduled.
 */
export class RenewerTimers {
  readonly #clock: RenewerClock;
  readonly #onError: (key: string, error: unknown) => void;
  readonly #timers = new Map<string, { readonly handle: unknown; readonly atMs: number }>();
  #tail: Promise<unknown> = Promise.resolve();
  #stopped = false;

  constructor(clock: RenewerClock, onError: (key: string, error: unknown) => void) {
    this.#clock = clock;
    this.#onError = onError;
  }

  /** Runs `task` after every step queued before it. */
  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(task);
    this.#tail = result.catch(() => undefined);
    return result;
  }

  /** Resolves once no step is running or queued. */
  async idle(): Promise<void> {
    let tail: Promise<unknown>;
    do {
      tail = this.#tail;
      await tail;
    } while (tail !== this.#tail);
  }

  /** Waits longer than a Node timer can hold are taken in steps. */
  schedule(key: string, atMs: number, task: () => Promise<void>): void {
    if (this.#stopped) return;
    this.cancel(key);
    const delayMs = Math.max(0, atMs - this.#clock.now());
    const step = delayMs > MAX_TIMER_DELAY_MS;
    const handle = this.#clock.setTimer(() => {
      this.#timers.delete(key);
      if (step) return this.schedule(key, atMs, task);
      this.run(task).catch((error: unknown) => this.#onError(key, error));
    }, step ? MAX_TIMER_DELAY_MS : delayMs);
    this.#timers.set(key, { handle, atMs });
  }

  cancel(key: string): void {
    const timer = this.#timers.get(key);
    if (timer !== undefined) this.#clock.clearTimer(timer.handle);
    this.#timers.delete(key);
  }

  /** When the timer for `key` fires, if one is set. */
  dueAt(key: string): number | undefined {
    return this.#timers.get(key)?.atMs;
  }

  /** Clears every timer, refuses new ones, and waits for the step under way. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const { handle } of this.#timers.values()) this.#clock.clearTimer(handle);
    this.#timers.clear();
    await this.idle();
  }
}
