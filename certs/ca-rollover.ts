import type { X509Certificate } from 'node:crypto';
import type { AuthoritySet } from './authority-set.js';
import type { CertificateChange } from './certificate-change.js';
import type { IssuedLedger } from './issued-ledger.js';
import type { RenewerSettings } from './renewer-settings.js';
import type { RenewerTimers } from './renewer-timers.js';
import { certificateThumbprint } from './spki-pin.js';
import { issuedBy } from './trust-bundle.js';

/** What a rollover needs of the renewer that runs it. */
export interface RolloverContext {
  readonly settings: RenewerSettings;
  readonly timers: RenewerTimers;
  readonly ledger: IssuedLedger;
  readonly authorities: () => AuthoritySet;
  readonly emit: (change: CertificateChange) => Promise<void>;
  /** Issues every leaf now (each failure is retried by the renewer as usual). */
  readonly reissueAll: () => Promise<void>;
  readonly backoff: (failures: number) => number;
}

/**
 * When the CA rolls over (SECURITY.md L4), in three timed steps, each run in the renewer's queue:
 * 1. at `caRolloverFraction` of the current CA's life (or on demand), a new CA enters the bundle;
 * 2. `bundlePropagationSeconds` later it becomes the issuer and every leaf is issued under it at
 *    once, not at its half-life;
 * 3. each retiring CA leaves the bundle when the last leaf it issued (per the ledger) expires.
 * A failed step is reported and every CA timer is armed again after a backoff.
 */
export class CaRollover {
  readonly #context: RolloverContext;
  #failures = 0;
  #lastError: string | undefined;
  #completed = 0;

  constructor(context: RolloverContext) {
    this.#context = context;
  }

  get lastError(): string | undefined {
    return this.#lastError;
  }

  /** Rollovers whose new CA became the issuer. */
  get completed(): number {
    return this.#completed;
  }

  /** Step 1. Throws if it failed (the caller of rolloverCa() learns why). */
  async begin(): Promise<void> {
    const { settings } = this.#context;
    const authorities = this.#context.authorities();
    if (authorities.next() !== undefined) return;
    await authorities.beginRollover();
    settings.log('info', `CA rollover: ${authorities.next()!.subject.replaceAll('\n', ', ')} is in the bundle; it issues in ${settings.bundlePropagationMs} ms`);
    await this.#context.emit({ kind: 'bundle', reason: 'ca-added', authorities: authorities.bundle.length });
    this.arm();
  }

  /** Sets the timers for whatever step comes next, from the folder's state. */
  arm(): void {
    const { settings, timers } = this.#context;
    const authorities = this.#context.authorities();
    const next = authorities.next();
    const current = authorities.current();
    if (next !== undefined) {
      timers.cancel('ca:rollover');
      timers.schedule('ca:promote', (authorities.nextSinceMs() ?? this.#now()) + settings.bundlePropagationMs, () => this.#step(() => this.#promote()));
    } else if (current !== undefined && settings.autoCaRollover) {
      const notBefore = new Date(current.validFrom).getTime();
      const rolloverAt = notBefore + (new Date(current.validTo).getTime() - notBefore) * settings.caRolloverFraction;
      timers.schedule('ca:rollover', rolloverAt, () => this.#step(() => this.begin()));
    }
    for (const ca of authorities.retiring()) this.#scheduleRetirement(ca, this.#lastLeafExpiry(ca));
  }

  /** Step 2. */
  async #promote(): Promise<void> {
    await this.#context.authorities().promote();
    this.#completed++;
    this.#context.settings.log('info', 'CA rollover: the new CA issues now; re-issuing every leaf');
    await this.#context.reissueAll();
    this.arm();
  }

  /** Step 3, never before the last leaf the CA issued has expired. */
  async #retire(ca: X509Certificate): Promise<void> {
    const removeAt = this.#lastLeafExpiry(ca);
    if (removeAt > this.#now()) return this.#scheduleRetirement(ca, removeAt);
    const authorities = this.#context.authorities();
    await authorities.remove(ca);
    this.#context.settings.log('info', `CA rollover: ${ca.subject.replaceAll('\n', ', ')} left the bundle`);
    await this.#context.emit({ kind: 'bundle', reason: 'ca-removed', authorities: authorities.bundle.length });
  }

  #scheduleRetirement(ca: X509Certificate, atMs: number): void {
    this.#context.timers.schedule(`ca:remove:${certificateThumbprint(ca.raw)}`, atMs, () => this.#step(() => this.#retire(ca)));
  }

  #lastLeafExpiry(ca: X509Certificate): number {
    const issued = this.#context.ledger.entries().filter((leaf) => issuedBy(leaf.certificate, ca));
    return Math.max(this.#now(), ...issued.map((leaf) => leaf.notAfter.getTime()));
  }

  async #step(step: () => Promise<void>): Promise<void> {
    try {
      await step();
      this.#failures = 0;
    } catch (error) {
      this.#lastError = error instanceof Error ? error.message : String(error);
      const delayMs = this.#context.backoff(++this.#failures);
      this.#context.settings.log('warn', `CA step failed (attempt ${this.#failures}): ${this.#lastError}; retrying in ${delayMs} ms`);
      this.#context.timers.schedule('ca:retry', this.#now() + delayMs, async () => this.arm());
    }
  }

  #now(): number {
    return this.#context.settings.clock.now();
  }
}
