import { join } from 'node:path';
import { AuthoritySet } from './authority-set.js';
import { CaRollover } from './ca-rollover.js';
import { writeFileAtomically } from './atomic-write.js';
import { readOptionalFile } from './ca-files.js';
import type { CertificateChange, RenewerStatus } from './certificate-change.js';
import type { LeafSpec } from './estate-leaves.js';
import { IssuedLedger, type IssuedLeaf } from './issued-ledger.js';
import { readLeafOnDisk, writeLeafFiles } from './leaf-files.js';
import { halfLife, MAX_BACKDATE_S } from './lifetime.js';
import { PINS_FILE, renderPinsFile } from './pins-file.js';
import { issueCertificate } from './pki.js';
import { renewerSettings, type CertificateRenewerOptions, type RenewerSettings } from './renewer-settings.js';
import { authorityStatus, LeafRecord } from './renewer-status.js';
import { RenewerTimers } from './renewer-timers.js';
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
  readonly #timers: RenewerTimers;
  #authorities: AuthoritySet | undefined;
  readonly #rollover: CaRollover;
  #pinsContent: string | undefined;

  constructor(options: CertificateRenewerOptions) {
    this.#settings = renewerSettings(options);
    this.dir = this.#settings.dir;
    this.pinsFile = join(this.dir, PINS_FILE);
    this.#ledger = new IssuedLedger(this.dir, this.#settings.beforeWrite);
    this.#timers = new RenewerTimers(this.#settings.clock, (key, error) => this.#settings.log('warn', `${key}: ${reasonOf(error)}`));
    for (const spec of this.#settings.leaves) this.#records.set(spec.name, new LeafRecord(spec));
    this.#rollover = new CaRollover({
      settings: this.#settings,
      timers: this.#timers,
      ledger: this.#ledger,
      authorities: () => this.#started(),
      emit: (change) => this.#emit(change),
      reissueAll: async () => {
        for (const record of this.#records.values()) await this.#renew(record);
      },
      backoff: (failures) => this.#backoff(failures),
    });
  }

  /**
   * Brings the folder up to date (a CA if there is none, every leaf, the pins file) and arms the
   * timers. Resolves when that pass is done; a leaf that failed is in status() and retried.
   * Rejects only when there is no usable CA bundle at all.
   */
  async start(): Promise<void> {
    if (this.#authorities !== undefined) throw new Error('the renewer is already started');
    await this.#timers.run(async () => {
      const { authorities, created } = await AuthoritySet.open(this.#settings);
      this.#authorities = authorities;
      if (created) await this.#emit({ kind: 'bundle', reason: 'created', authorities: 1 });
      await this.#ledger.load();
      await this.#ledger.prune(this.#now());
      for (const leaf of this.#ledger.entries()) this.#scheduleExpiry(leaf);
      this.#pinsContent = await readOptionalFile(this.pinsFile);
      for (const record of this.#records.values()) await this.#adopt(record);
      await this.#writePins();
      this.#rollover.arm();
    });
  }

  /** Clears every timer and waits for the step under way. The files stay. */
  stop(): Promise<void> {
    return this.#timers.stop();
  }

  /** Resolves once no step is running or queued (tests call it after advancing a manual clock). */
  idle(): Promise<void> {
    return this.#timers.idle();
  }

  status(): RenewerStatus {
    const authorities = this.#authorities;
    const promoteAt = this.#timers.dueAt('ca:promote');
    const rolloverAt = this.#timers.dueAt('ca:rollover');
    return Object.freeze({
      leaves: Object.freeze(Object.fromEntries([...this.#records].map(([name, record]) => [name, record.status(this.#timers.dueAt(`leaf:${name}`))]))),
      authorities: authorities === undefined ? [] : authorityStatus(authorities, (thumbprint) => this.#timers.dueAt(`ca:remove:${thumbprint}`)),
      ...(promoteAt === undefined ? {} : { promoteAt: new Date(promoteAt) }),
      ...(rolloverAt === undefined ? {} : { rolloverAt: new Date(rolloverAt) }),
      pins: this.#ledger.pins(this.#now()).length,
      caRollovers: this.#rollover.completed,
      ...(this.#rollover.lastError === undefined ? {} : { lastCaError: this.#rollover.lastError }),
    });
  }

  /** Issues one leaf now, whatever its age (resolves after the attempt; a failure is retried as usual). */
  renewNow(name: string): Promise<void> {
    const record = this.#records.get(name);
    if (record === undefined) return Promise.reject(new TypeError(`no leaf named "${name}"`));
    return this.#timers.run(() => this.#renew(record));
  }

  /** L4 step 1 now: a new CA enters the bundle; leaves follow after the propagation delay. Rejects if it failed. */
  rolloverCa(): Promise<void> {
    return this.#timers.run(() => this.#rollover.begin());
  }

  /**
   * L5: the leaf with this `x5t#S256` (base64url SHA-256 of its DER, as `estate.revocations`
   * announces it) loses its pin; if it is a leaf in use, that leaf is issued again at once.
   * Returns whether the renewer knew the certificate (and had not revoked it already).
   */
  revoke(x5tS256: string): Promise<boolean> {
    return this.#timers.run(async () => {
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
    const authorities = this.#started();
    const onDisk = await readLeafOnDisk(this.dir, record.spec, authorities.certificates(), this.#now());
    if (onDisk !== undefined) {
      this.#scheduleExpiry(await this.#ledger.record(onDisk.leafPem));
      const window = { notBefore: new Date(onDisk.certificate.validFrom), notAfter: new Date(onDisk.certificate.validTo) };
      const current = authorities.current();
      const fromCurrent = current === undefined || issuedBy(onDisk.certificate, current);
      const shortLived = window.notAfter.getTime() - window.notBefore.getTime() <= (this.#settings.leafTtlSeconds + MAX_BACKDATE_S) * 1_000;
      record.adopted(window.notAfter, certificateThumbprint(onDisk.certificate.raw));
      if (fromCurrent && shortLived && halfLife(window) > this.#now()) {
        this.#timers.schedule(`leaf:${record.spec.name}`, halfLife(window), () => this.#renew(record));
        return;
      }
    }
    await this.#renew(record);
  }

  /** L1: issue, record and pin, then write key and certificate; L6: on failure, report and retry. */
  async #renew(record: LeafRecord): Promise<void> {
    const { spec } = record;
    let leaf: IssuedLeaf | undefined;
    try {
      const authority = await this.#started().issuer();
      const issued = await issueCertificate(authority, {
        commonName: spec.name,
        usage: spec.usage,
        ...(spec.spiffeId === undefined ? {} : { spiffeId: spec.spiffeId }),
        ...(spec.dnsNames === undefined ? {} : { dnsNames: spec.dnsNames }),
        lifetimeSeconds: this.#settings.leafTtlSeconds,
        keyAlgorithm: this.#settings.keyAlgorithm,
        now: new Date(this.#now()),
      });
      leaf = await this.#ledger.record(issued.certificatePem);
      // Pinned (and the broker told) before any workload can present it.
      if (leaf.client) await this.#writePins();
      await writeLeafFiles(this.dir, spec.name, issued.privateKeyPem, issued.certificatePem + authority.chainPem, this.#settings.beforeWrite);
      this.#scheduleExpiry(leaf);
      const window = { notBefore: new Date(leaf.certificate.validFrom), notAfter: leaf.notAfter };
      record.renewed(new Date(this.#now()), leaf.notAfter, leaf.thumbprint);
      this.#settings.log('info', `issued ${spec.name} until ${leaf.notAfter.toISOString()} (x5t#S256 ${leaf.thumbprint})`);
      await this.#emit({ kind: 'leaf', name: spec.name, notAfter: leaf.notAfter, thumbprint: leaf.thumbprint });
      this.#timers.schedule(`leaf:${spec.name}`, halfLife(window), () => this.#renew(record));
    } catch (error) {
      const failures = record.failed(new Date(this.#now()), reasonOf(error));
      const delayMs = this.#backoff(failures);
      this.#settings.log('warn', `renewal of ${spec.name} failed (attempt ${failures}): ${reasonOf(error)}; retrying in ${delayMs} ms`);
      if (leaf !== undefined) await this.#unpin(leaf);
      this.#timers.schedule(`leaf:${spec.name}`, this.#now() + delayMs, () => this.#renew(record));
    }
  }

  /** A leaf that never landed is no one's: out of the ledger and the pins (best effort; its expiry timer would catch it). */
  async #unpin(leaf: IssuedLeaf): Promise<void> {
    await this.#ledger.discard(leaf.thumbprint);
    await this.#writePins().catch((error: unknown) => this.#settings.log('warn', `pins not rewritten: ${reasonOf(error)}`));
  }

  /** L5: at its notAfter a leaf loses its pin and leaves the ledger. */
  #scheduleExpiry(leaf: IssuedLeaf): void {
    this.#timers.schedule(`expire:${leaf.thumbprint}`, leaf.notAfter.getTime(), async () => {
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

  #started(): AuthoritySet {
    if (this.#authorities === undefined) throw new Error('the renewer is not started');
    return this.#authorities;
  }

  #backoff(failures: number): number {
    return Math.min(this.#settings.retryMaxMs, this.#settings.retryInitialMs * 2 ** Math.min(failures - 1, 30));
  }

  #now(): number {
    return this.#settings.clock.now();
  }
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export type { LeafSpec };
