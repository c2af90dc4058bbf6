import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { reloadTlsIdentity, sameTlsIdentity, type TlsIdentity } from '../config/tls-identity.js';

/**
 * A renewal is two renames (key, then certificate): one read after both, not one per event.
 * Short, because signing keeps using the old key until the read.
 */
export const DEFAULT_IDENTITY_DEBOUNCE_MS = 100; // milliseconds
/**
 * Re-reads the files this often even without an event: fs.watch misses changes on some mounts
 * (network filesystems, bind mounts replaced wholesale). Well inside the shortest supported
 * lifetime (30 s, renewed at 15 s), and three small reads are cheap.
 */
export const DEFAULT_IDENTITY_POLL_MS = 5_000; // milliseconds

/** Runs after a new identity is accepted, in subscription order, each awaited before the next. */
export type IdentityListener = (identity: TlsIdentity, previous: TlsIdentity) => unknown;

export interface IdentityWatcherOptions {
  readonly debounceMs?: number;
  readonly pollMs?: number;
  /** Why files on disk are not used, or a listener failed: paths and reasons only, never content. */
  readonly log?: (message: string) => void;
  /** The instant validity is checked at; tests move it. */
  readonly now?: () => Date;
}

/**
 * SECURITY.md L1/L6, workload side: follows the certificate, key and trust bundle files that a
 * renewer (the estate's, spiffe-helper, cert-manager) rewrites atomically, and hands each new,
 * usable identity to its subscribers (signer, trust anchors, NATS connections).
 * 1. Watches the folders holding the three files (fs.watch), and polls every `pollMs` besides.
 * 2. After `debounceMs` of quiet, reads the files; the same content as in use is no change.
 * 3. Checks the new set with the start-up rules (loadTlsIdentity): a key that does not match the
 *    certificate (a renewal half done: key renamed, certificate not yet), an unreadable or
 *    truncated file, an expired or not yet valid certificate, one that does not chain to the
 *    bundle. Any of these: the current identity stays in use, the reason is logged once, and the
 *    next event or poll tries again. A half-written or mismatched pair is never used.
 * 4. Accepts the new identity and runs the listeners one after another; checks never overlap.
 * Does not renew anything, and does not decide readiness (certificateReadiness does).
 */
export class IdentityWatcher {
  #current: TlsIdentity;
  readonly #spiffeId: string;
  readonly #listeners = new Set<IdentityListener>();
  readonly #watchers: FSWatcher[] = [];
  readonly #debounceMs: number;
  readonly #pollMs: number;
  readonly #log: (message: string) => void;
  readonly #now: () => Date;
  #poll: NodeJS.Timeout | undefined;
  #debounce: NodeJS.Timeout | undefined;
  #running: Promise<boolean> | undefined;
  #again = false;
  #closed = false;
  #problem: string | undefined;

  constructor(initial: TlsIdentity, spiffeId: string, options: IdentityWatcherOptions = {}) {
    this.#current = initial;
    this.#spiffeId = spiffeId;
    this.#debounceMs = options.debounceMs ?? DEFAULT_IDENTITY_DEBOUNCE_MS;
    this.#pollMs = options.pollMs ?? DEFAULT_IDENTITY_POLL_MS;
    this.#log = options.log ?? (() => undefined);
    this.#now = options.now ?? (() => new Date());
  }

  /** The identity in use. */
  get current(): TlsIdentity {
    return this.#current;
  }

  /** Why the files on disk are not in use, while they are not (undefined when they are). */
  get problem(): string | undefined {
    return this.#problem;
  }

  /** Returns the unsubscribe function. */
  subscribe(listener: IdentityListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Starts watching and polling; timers never keep the process alive. */
  start(): this {
    const files = [this.#current.certFile, this.#current.keyFile, this.#current.caFile];
    const names = new Set(files.map((file) => basename(file)));
    for (const folder of new Set(files.map((file) => dirname(file)))) {
      try {
        const watcher = watch(folder, { persistent: false }, (_event, name) => {
          // `..data` and the like: Kubernetes swaps a mounted secret through a symlink.
          if (name === null || names.has(String(name)) || String(name).startsWith('..')) this.#schedule();
        });
        watcher.on('error', () => watcher.close()); // the folder went away: the poll still runs
        this.#watchers.push(watcher);
      } catch (error) {
        this.#log(`cannot watch ${folder} (${(error as NodeJS.ErrnoException).code ?? 'error'}); polling every ${this.#pollMs} ms`);
      }
    }
    this.#poll = setInterval(() => void this.check(), this.#pollMs);
    this.#poll.unref();
    return this;
  }

  /**
   * Reads the files now. Resolves once a new identity, if any, has been handed to every listener:
   * true when one was accepted. A check asked for while one runs runs again after it.
   */
  check(): Promise<boolean> {
    if (this.#running !== undefined) {
      this.#again = true;
      return this.#running;
    }
    const run = async (): Promise<boolean> => {
      let accepted = false;
      do {
        this.#again = false;
        accepted = (await this.#checkOnce()) || accepted;
      } while (this.#again && !this.#closed);
      return accepted;
    };
    this.#running = run().finally(() => (this.#running = undefined));
    return this.#running;
  }

  close(): void {
    this.#closed = true;
    for (const watcher of this.#watchers) watcher.close();
    clearInterval(this.#poll);
    clearTimeout(this.#debounce);
  }

  #schedule(): void {
    if (this.#closed) return;
    clearTimeout(this.#debounce);
    this.#debounce = setTimeout(() => void this.check(), this.#debounceMs);
    this.#debounce.unref();
  }

  async #checkOnce(): Promise<boolean> {
    if (this.#closed) return false;
    if (await this.#unchanged()) {
      this.#problem = undefined; // a bad rewrite was put right: what is on disk is in use
      return false;
    }
    let next: TlsIdentity;
    try {
      next = reloadTlsIdentity(this.#current, this.#spiffeId, this.#now());
    } catch (error) {
      const problem = error instanceof Error ? error.message : String(error);
      if (problem !== this.#problem) this.#log(`new certificate files not used yet, keeping the current certificate: ${problem}`);
      this.#problem = problem;
      return false;
    }
    this.#problem = undefined;
    if (sameTlsIdentity(next, this.#current)) return false;
    const previous = this.#current;
    this.#current = next;
    for (const listener of [...this.#listeners]) {
      try {
        await listener(next, previous);
      } catch (error) {
        this.#log(`a subscriber failed to follow the new certificate: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return true;
  }

  /** The files hold exactly what is in use (the usual poll): nothing to parse. */
  async #unchanged(): Promise<boolean> {
    try {
      const [cert, key, ca] = await Promise.all([this.#current.certFile, this.#current.keyFile, this.#current.caFile].map((file) => readFile(file, 'utf8')));
      return cert === this.#current.cert && key === this.#current.key && ca === this.#current.ca;
    } catch {
      return false; // let the full read report which file and why
    }
  }
}
