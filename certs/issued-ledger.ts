import { X509Certificate } from 'node:crypto';
import { mkdir, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomically, type BeforeWriteHook } from './atomic-write.js';
import { certificateThumbprint, spkiPin } from './spki-pin.js';

/**
 * The renewer's record of every leaf it issued that has not yet expired: public certificates
 * only, one file each, `<dir>/issued/<x5t#S256>.crt`, renamed to `.revoked` on revocation and
 * deleted once expired. From it come the broker's pins (a superseded leaf stays pinned until it
 * expires, also across a restart of the renewer: SECURITY.md L5) and the moment an old CA may
 * leave the trust bundle (its last leaf's notAfter: L4).
 */
export interface IssuedLeaf {
  /** base64url SHA-256 of the DER: the `x5t#S256` that `estate.revocations` announces. */
  readonly thumbprint: string;
  /** hex SHA-256 of the SPKI: what nats-server's `pinned_certs` lists. */
  readonly pin: string;
  readonly certificate: X509Certificate;
  readonly notAfter: Date;
  /** A client (workload) leaf, which the broker pins; the broker's own server leaf is not one. */
  readonly client: boolean;
  readonly revoked: boolean;
}

export const ISSUED_FOLDER = 'issued';
const ISSUED_SUFFIX = '.crt';
const REVOKED_SUFFIX = '.revoked';
const CLIENT_AUTH_OID = '1.3.6.1.5.5.7.3.2';
const THUMBPRINT = /^[A-Za-z0-9_-]{43}$/;

function describe(pem: string, revoked: boolean): IssuedLeaf {
  const certificate = new X509Certificate(pem);
  return Object.freeze({
    thumbprint: certificateThumbprint(certificate.raw),
    pin: spkiPin(pem),
    certificate,
    notAfter: new Date(certificate.validTo),
    client: (certificate.keyUsage ?? []).includes(CLIENT_AUTH_OID),
    revoked,
  });
}

export class IssuedLedger {
  readonly folder: string;
  readonly #beforeWrite: BeforeWriteHook | undefined;
  readonly #entries = new Map<string, IssuedLeaf>();

  constructor(certsDir: string, beforeWrite?: BeforeWriteHook) {
    this.folder = join(certsDir, ISSUED_FOLDER);
    this.#beforeWrite = beforeWrite;
  }

  /** Reads the folder; an unreadable entry is skipped (it can only be one we did not write). */
  async load(): Promise<void> {
    await mkdir(this.folder, { recursive: true, mode: 0o700 });
    this.#entries.clear();
    for (const file of await readdir(this.folder)) {
      const revoked = file.endsWith(REVOKED_SUFFIX);
      if (!revoked && !file.endsWith(ISSUED_SUFFIX)) continue;
      try {
        const leaf = describe(await readFile(join(this.folder, file), 'utf8'), revoked);
        if (THUMBPRINT.test(leaf.thumbprint)) this.#entries.set(leaf.thumbprint, leaf);
      } catch {
        // A file we cannot parse pins nothing; pruning by name would need its expiry, which we lack.
      }
    }
  }

  get(thumbprint: string): IssuedLeaf | undefined {
    return this.#entries.get(thumbprint);
  }

  entries(): IssuedLeaf[] {
    return [...this.#entries.values()];
  }

  /** Records a leaf before its files are written, so that a crash in between still pins it. */
  async record(certificatePem: string): Promise<IssuedLeaf> {
    const leaf = describe(certificatePem, false);
    const known = this.#entries.get(leaf.thumbprint);
    if (known !== undefined) return known;
    await writeFileAtomically(this.#path(leaf.thumbprint, false), certificatePem, { mode: 0o644, ...(this.#beforeWrite === undefined ? {} : { beforeWrite: this.#beforeWrite }) });
    this.#entries.set(leaf.thumbprint, leaf);
    return leaf;
  }

  /**
   * Forgets a leaf whose files were never (completely) written: nobody holds it, so it must not
   * stay pinned. Best effort: a file that cannot be removed is pruned at its expiry.
   */
  async discard(thumbprint: string): Promise<void> {
    const leaf = this.#entries.get(thumbprint);
    if (leaf === undefined) return;
    this.#entries.delete(thumbprint);
    await unlink(this.#path(thumbprint, leaf.revoked)).catch(() => undefined);
  }

  /** Marks a leaf revoked (kept until it expires, so a restart does not pin it again). False if unknown or already revoked. */
  async revoke(thumbprint: string): Promise<boolean> {
    const leaf = this.#entries.get(thumbprint);
    if (leaf === undefined || leaf.revoked) return false;
    await rename(this.#path(thumbprint, false), this.#path(thumbprint, true));
    this.#entries.set(thumbprint, Object.freeze({ ...leaf, revoked: true }));
    return true;
  }

  /** The SPKI pins of client leaves that are neither expired at `nowMs` nor revoked, sorted. */
  pins(nowMs: number): string[] {
    const pins = this.entries().filter((leaf) => leaf.client && !leaf.revoked && leaf.notAfter.getTime() > nowMs).map((leaf) => leaf.pin);
    return [...new Set(pins)].sort();
  }

  /** Deletes the entries expired at `nowMs`; returns how many. */
  async prune(nowMs: number): Promise<number> {
    let pruned = 0;
    for (const leaf of this.entries()) {
      if (leaf.notAfter.getTime() > nowMs) continue;
      await unlink(this.#path(leaf.thumbprint, leaf.revoked)).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
      this.#entries.delete(leaf.thumbprint);
      pruned++;
    }
    return pruned;
  }

  #path(thumbprint: string, revoked: boolean): string {
    return join(this.folder, `${thumbprint}${revoked ? REVOKED_SUFFIX : ISSUED_SUFFIX}`);
  }
}
