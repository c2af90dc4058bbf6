import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { AuthoritySet } from './authority-set.js';
import { writeFileAtomically } from './atomic-write.js';
import { readOptionalFile } from './ca-files.js';
import type { CertificateChange, RenewerStatus } from './certificate-change.js';
import type { LeafSpec } from './estate-leaves.js';
import { IssuedLedger, type IssuedLeaf } from './issued-ledger.js';
import { readLeafOnDisk, writeLeafFiles } from './leaf-files.js';
import { halfLife, MAX_BACKDATE_S } from './lifetime.js';
import { PINS_FILE, renderPinsFile } from './pins-file.js';
import { issueCertificate } from './pki.js';
import { MAX_TIMER_DELAY_MS } from './renewer-clock.js';
import { renewerSettings, type CertificateRenewerOptions, type RenewerSettings } from './renewer-settings.js';
import { authorityStatus, LeafRecord } from './renewer-status.js';
import { certificateThumbprint } from './spki-pin.js';
import { issuedBy } from './trust-bundle.js';

/**
 * Keeps a certs folder's workload certificates short-lived and fresh (SECURITY.md L1, L4, L5,
 * L6): the development stand-in for spiffe-helper or cert-manager (certs/README.md).
 * 1. Each leaf is issued, then renewed at half-life: key file first, then certificate, each
 *    replaced atomically.
 * 2. A failed renewal is logged with its reason, shown in status() and retried with backoff.
 * 3. CA rollover: the new CA enters the bundle, after the propagation delay leaves are issued
 *    under it, and the old CA leaves the bundle when the last leaf it issued expires.
 * 4. `nats-pins.conf` lists every unexpired, unrevoked client leaf; it changes when a leaf is
 *    issued, at the moment one expires, and on revoke().
 * Every change is reported through `onChange`; all work runs one step at a time.
 * Does not signal anyone itself (the caller's onChange does) and does not read
 * `estate.revocations` (the caller calls revoke()).
 */
export class CertificateRenewer {
  readonly dir: string;
  readonly pinsFile: string;
  readonly #settings: RenewerSettings;
  readonly #ledger: IssuedLedger;
  readonly #records = new Map<string, LeafRecord>();
  readonly #timers = new Map<string, { handle: unknown; atMs: number }>();
  #authorities: AuthoritySet | undefined;
  #tail: Promise<unknown> = Promise.resolve();
  #pinsContent: string | undefined;
  #caFailures = 0;
  #lastCaError: string | undefined;
  #stopped = false;

  constructor(options: CertificateRenewerOptions) {
    this.#settings = renewerSettings(options);
    this.dir = this.#settings.dir;
    this.pinsFile = join(this.dir, PINS_FILE);
    this.#ledger = new IssuedLedger(this.dir, this.#settings.beforeWrite);
    for (const spec of this.#settings.leaves) this.#records.set(spec.name, new LeafRecord(spec));
  }

  /**
   * Brings the folder up to date (a CA if there is none, every leaf, the pins file) and arms the
   * timers. Resolves when that pass is done; a leaf that failed is in status() and retried.
   * Rejects only when there is no usable CA bundle at all.
   */
  async start(): Promise<void> {
    await this.#run(async () => {
      const { authorities, created } = await AuthoritySet.open(this.#settings);
      this.#authorities = authorities;
      if (created) await this.#emit({ kind: 'bundle', reason: 'created', authorities: 1 });
      await this.#ledger.load();
      await this.#ledger.prune(this.#now());
      for (const leaf of this.#ledger.entries()) this.#scheduleExpiry(leaf);
      this.#pinsContent = await readOptionalFile(this.pinsFile);
      for (const record of this.#records.values()) await this.#adopt(record);
      await this.#writePins();
      this.#armAuthorityTimers();
    });
  }

  /** Clears every timer and waits for the step under way. The files stay. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const { handle } of this.#timers.values()) this.#settings.clock.clearTimer(handle);
    this.#timers.clear();
    await this.idle();
  }

  /** Resolves once no step is running or queued (tests call it after advancing a manual clock). */
  async idle(): Promise<void> {
    let tail: Promise<unknown>;
    do {
      tail = this.#tail;
      await tail;
    } while (tail !== this.#tail);
  }

  status(): RenewerStatus {
    const authorities = this.#authorities;
    const promoteAt = this.#timers.get('ca:promote')?.atMs;
    const rolloverAt = this.#timers.get('ca:rollover')?.atMs;
    return Object.freeze({
      leaves: Object.freeze(Object.fromEntries([...this.#records].map(([name, record]) => [name, record.status(this.#timers.get(`leaf:${name}`)?.atMs)]))),
      authorities: authorities === undefined ? [] : authorityStatus(authorities, (thumbprint) => this.#timers.get(`ca:remove:${thumbprint}`)?.atMs),
      ...(promoteAt === undefined ? {} : { promoteAt: new Date(promoteAt) }),
      ...(rolloverAt === undefined ? {} : { rolloverAt: new Date(rolloverAt) }),
      pins: this.#ledger.pins(this.#now()).length,
      ...(this.#lastCaError === undefined ? {} : { lastCaError: this.#lastCaError }),
    });
  }

  /** Issues one leaf now, whatever its age (resolves after the attempt; a failure is retried as usual). */
  renewNow(name: string): Promise<void> {
    const record = this.#records.get(name);
    if (record === undefined) return Promise.reject(new TypeError(`no leaf named "${name}"`));
    return this.#run(() => this.#renew(record));
  }

  /** L4 step 1 now: a new CA enters the bundle; leaves follow after the propagation delay. Rejects if it failed. */
  rolloverCa(): Promise<void> {
    return this.#run(() => this.#beginRollover());
  }

  /**
   * L5: the leaf with this `x5t#S256` (base64url SHA-256 of its DER, as `estate.revocations`
   * announces it) loses its pin; if it is a leaf in use, that leaf is issued again at once.
   * Returns whether the renewer knew the certificate (and had not revoked it already).
   */
  revoke(x5tS256: string): Promise<boolean> {
    return this.#run(async () => {
      if (!(await this.#ledger.revoke(x5tS256))) return false;
      this.#settings.log('info', `revoked x5t#S256 ${x5tS256}: no longer pinned`);
      const owner = [...this.#records.values()].find((record) => record.thumbprint === x5tS256);
      if (owner !== undefined) await this.#renew(owner);
      await this.#writePins(); // also when the re-issue failed: the revoked pin must go
      return true;
    });
  }

  /** Keeps a valid leaf on disk until its half-life; otherwise issues now. Either way it stays pinned until it expires. */
  async #adopt(record: LeafRecord): Promise<void> {
    const authorities = this.#authorities!;
    const onDisk = await readLeafOnDisk(this.dir, record.spec, authorities.certificates(), this.#now());
    if (onDisk !== undefined) {
      this.#scheduleExpiry(await this.#ledger.record(onDisk.leafPem));
      const window = { notBefore: new Date(onDisk.certificate.validFrom), notAfter: new Date(onDisk.certificate.validTo) };
      const current = authorities.current();
      const fromCurrent = current === undefined || issuedBy(onDisk.certificate, current);
      const shortLived = window.notAfter.getTime() - window.notBefore.getTime() <= (this.#settings.leafTtlSeconds + MAX_BACKDATE_S) * 1_000;
      record.adopted(window.notAfter, certificateThumbprint(onDisk.certificate.raw));
      if (fromCurrent && shortLived && halfLife(window) > this.#now()) {
        this.#schedule(`leaf:${record.spec.name}`, halfLife(window), () => this.#renew(record));
        return;
      }
    }
    await this.#renew(record);
  }

  /** L1: issue, record and pin, then write key and certificate; L6: on failure, report and retry. */
  async #renew(record: LeafRecord): Promise<void> {
    const { spec } = record;
    try {
      const authority = await this.#authorities!.issuer();
      const issued = await issueCertificate(authority, {
        commonName: spec.name,
        usage: spec.usage,
        ...(spec.spiffeId === undefined ? {} : { spiffeId: spec.spiffeId }),
        lifetimeSeconds: this.#settings.leafTtlSeconds,
        keyAlgorithm: this.#settings.keyAlgorithm,
        now: new Date(this.#now()),
      });
      const leaf = await this.#ledger.record(issued.certificatePem);
      this.#scheduleExpiry(leaf);
      // Pinned (and the broker told) before any workload can present it.
      if (leaf.client) await this.#writePins();
      await writeLeafFiles(this.dir, spec.name, issued.privateKeyPem, issued.certificatePem + authority.chainPem, this.#settings.beforeWrite);
      const window = { notBefore: new Date(leaf.certificate.validFrom), notAfter: leaf.notAfter };
      record.renewed(new Date(this.#now()), leaf.notAfter, leaf.thumbprint);
      this.#settings.log('info', `issued ${spec.name} until ${leaf.notAfter.toISOString()} (x5t#S256 ${leaf.thumbprint})`);
      await this.#emit({ kind: 'leaf', name: spec.name, notAfter: leaf.notAfter, thumbprint: leaf.thumbprint });
      this.#schedule(`leaf:${spec.name}`, halfLife(window), () => this.#renew(record));
    } catch (error) {
      const failures = record.failed(new Date(this.#now()), reasonOf(error));
      const delayMs = this.#backoff(failures);
      this.#settings.log('warn', `renewal of ${spec.name} failed (attempt ${failures}): ${reasonOf(error)}; retrying in ${delayMs} ms`);
      this.#schedule(`leaf:${spec.name}`, this.#now() + delayMs, () => this.#renew(record));
    }
  }

  async #beginRollover(): Promise<void> {
    const authorities = this.#authorities;
    if (authorities === undefined) throw new Error('the renewer is not started');
    if (authorities.next() !== undefined) return;
    await authorities.beginRollover();
    this.#settings.log('info', `CA rollover: ${authorities.next()!.subject.replaceAll('\n', ', ')} is in the bundle; it issues in ${this.#settings.bundlePropagationMs} ms`);
    await this.#emit({ kind: 'bundle', reason: 'ca-added', authorities: authorities.bundle.length });
    this.#armAuthorityTimers();
  }

  /** L4 step 2: the next CA issues; every leaf is issued under it at once, not at its half-life. */
  async #promote(): Promise<void> {
    await this.#authorities!.promote();
    this.#settings.log('info', 'CA rollover: the new CA issues now; re-issuing every leaf');
    for (const record of this.#records.values()) await this.#renew(record);
    this.#armAuthorityTimers();
  }

  /** L4 step 3: a retiring CA leaves the bundle, but never before the last leaf it issued has expired. */
  async #retire(ca: X509Certificate): Promise<void> {
    const removeAt = this.#lastLeafExpiry(ca);
    if (removeAt > this.#now()) {
      this.#schedule(`ca:remove:${certificateThumbprint(ca.raw)}`, removeAt, () => this.#caStep(() => this.#retire(ca)));
      return;
    }
    await this.#authorities!.remove(ca);
    this.#settings.log('info', `CA rollover: ${ca.subject.replaceAll('\n', ', ')} left the bundle`);
    await this.#emit({ kind: 'bundle', reason: 'ca-removed', authorities: this.#authorities!.bundle.length });
  }

  #lastLeafExpiry(ca: X509Certificate): number {
    const issued = this.#ledger.entries().filter((leaf) => issuedBy(leaf.certificate, ca));
    return Math.max(this.#now(), ...issued.map((leaf) => leaf.notAfter.getTime()));
  }

  #armAuthorityTimers(): void {
    const authorities = this.#authorities!;
    const next = authorities.next();
    const current = authorities.current();
    if (next !== undefined) {
      this.#cancel('ca:rollover');
      this.#schedule('ca:promote', (authorities.nextSinceMs() ?? this.#now()) + this.#settings.bundlePropagationMs, () => this.#caStep(() => this.#promote()));
    } else if (current !== undefined && this.#settings.autoCaRollover) {
      const notBefore = new Date(current.validFrom).getTime();
      const rolloverAt = notBefore + (new Date(current.validTo).getTime() - notBefore) * this.#settings.caRolloverFraction;
      this.#schedule('ca:rollover', rolloverAt, () => this.#caStep(() => this.#beginRollover()));
    }
    for (const ca of authorities.retiring()) {
      this.#schedule(`ca:remove:${certificateThumbprint(ca.raw)}`, this.#lastLeafExpiry(ca), () => this.#caStep(() => this.#retire(ca)));
    }
  }

  /** A CA step from a timer: on failure, reported, then every CA timer is armed again after a backoff. */
  async #caStep(step: () => Promise<void>): Promise<void> {
    try {
      await step();
      this.#caFailures = 0;
    } catch (error) {
      this.#lastCaError = reasonOf(error);
      const delayMs = this.#backoff(++this.#caFailures);
      this.#settings.log('warn', `CA step failed (attempt ${this.#caFailures}): ${this.#lastCaError}; retrying in ${delayMs} ms`);
      this.#schedule('ca:retry', this.#now() + delayMs, async () => this.#armAuthorityTimers());
    }
  }

  /** L5: at its notAfter a leaf loses its pin and leaves the ledger. */
  #scheduleExpiry(leaf: IssuedLeaf): void {
    this.#schedule(`expire:${leaf.thumbprint}`, leaf.notAfter.getTime(), async () => {
      if (leaf.notAfter.getTime() > this.#now()) return this.#scheduleExpiry(leaf); // a timer that fired early
      await this.#ledger.prune(this.#now());
      await this.#writePins();
    });
  }

  async #writePins(): Promise<void> {
    const pins = this.#ledger.pins(this.#now());
    const content = renderPinsFile(pins);
    if (content === this.#pinsContent) return;
    const beforeWrite = this.#settings.beforeWrite;
    await writeFileAtomically(this.pinsFile, content, { mode: 0o644, ...(beforeWrite === undefined ? {} : { beforeWrite }) });
    this.#pinsContent = content;
    await this.#emit({ kind: 'pins', count: pins.length });
  }

  async #emit(change: CertificateChange): Promise<void> {
    try {
      await this.#settings.onChange?.(change);
    } catch (error) {
      this.#settings.log('warn', `the ${change.kind} change listener failed: ${reasonOf(error)}`);
    }
  }

  #backoff(failures: number): number {
    return Math.min(this.#settings.retryMaxMs, this.#settings.retryInitialMs * 2 ** Math.min(failures - 1, 30));
  }

  #now(): number {
    return this.#settings.clock.now();
  }

  #run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(task);
    this.#tail = result.catch(() => undefined);
    return result;
  }

  /** One timer per key; a later schedule replaces it. Waits longer than a Node timer can are taken in steps. */
  #schedule(key: string, atMs: number, task: () => Promise<void>): void {
    if (this.#stopped) return;
    this.#cancel(key);
    const delayMs = Math.max(0, atMs - this.#now());
    const step = delayMs > MAX_TIMER_DELAY_MS;
    const handle = this.#settings.clock.setTimer(() => {
      this.#timers.delete(key);
      if (step) return this.#schedule(key, atMs, task);
      this.#run(task).catch((error: unknown) => this.#settings.log('warn', `${key}: ${reasonOf(error)}`));
    }, step ? MAX_TIMER_DELAY_MS : delayMs);
    this.#timers.set(key, { handle, atMs });
  }

  #cancel(key: string): void {
    const timer = this.#timers.get(key);
    if (timer !== undefined) this.#settings.clock.clearTimer(timer.handle);
    this.#timers.delete(key);
  }
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export type { LeafSpec };
