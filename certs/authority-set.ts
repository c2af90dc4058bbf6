import { randomBytes, X509Certificate } from 'node:crypto';
import { mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomically } from './atomic-write.js';
import { CA_BUNDLE_FILE, CA_KEY_FILE, certificateOfKey, loadAuthorityFromFiles, NEXT_CA_KEY_FILE, readOptionalFile, readTrustBundle } from './ca-files.js';
import { createCertificateAuthority, type Authority } from './pki.js';
import type { RenewerSettings } from './renewer-settings.js';
import { certificateThumbprint } from './spki-pin.js';
import { renderTrustBundle } from './trust-bundle.js';

/**
 * The CAs of a certs folder (files: ca-files.ts) and the three steps of a rollover (SECURITY.md
 * L4): `beginRollover` puts a new CA in the bundle (its key in `ca-next.key`), `promote` makes it
 * the issuer once the bundle had time to propagate, `remove` takes a retiring CA out of the
 * bundle once its last leaf has expired. The renewer decides when; this class only does.
 */
export class AuthoritySet {
  readonly #settings: RenewerSettings;
  #bundle: string[];
  #current: string | undefined;
  #next: string | undefined;
  #nextSinceMs: number | undefined;

  private constructor(settings: RenewerSettings, bundle: string[]) {
    this.#settings = settings;
    this.#bundle = bundle;
  }

  /**
   * Reads the folder; with no CA at all, creates one (key first, then the bundle) and says so.
   * A bundle without a usable `ca.key` is kept: valid leaves stay, renewals fail until a key is
   * there (bring-your-own CA, certs/README.md).
   */
  static async open(settings: RenewerSettings): Promise<{ readonly authorities: AuthoritySet; readonly created: boolean }> {
    await mkdir(settings.dir, { recursive: true, mode: 0o700 });
    const authorities = new AuthoritySet(settings, await readTrustBundle(settings.dir));
    if (authorities.#bundle.length === 0) {
      if ((await readOptionalFile(join(settings.dir, CA_KEY_FILE))) !== undefined) {
        throw new Error(`${join(settings.dir, CA_KEY_FILE)} is there without ${CA_BUNDLE_FILE}: put its certificate back, or remove both to start a new CA`);
      }
      const ca = await authorities.#create();
      await authorities.#write(CA_KEY_FILE, ca.privateKeyPem, 0o600);
      await authorities.#writeBundle([ca.certificatePem]);
      authorities.#current = ca.certificatePem;
      return { authorities, created: true };
    }
    authorities.#current = await authorities.#matching(CA_KEY_FILE);
    authorities.#next = await authorities.#matching(NEXT_CA_KEY_FILE);
    if (authorities.#next !== undefined) {
      // When it entered the bundle, from its own dates (the renewer made it with caTtlSeconds),
      // so a restart resumes the propagation delay on the renewer's clock, not the file system's.
      const next = new X509Certificate(authorities.#next);
      const createdMs = new Date(next.validTo).getTime() - settings.caTtlSeconds * 1_000;
      authorities.#nextSinceMs = Math.min(settings.clock.now(), Math.max(new Date(next.validFrom).getTime(), createdMs));
    }
    return { authorities, created: false };
  }

  get bundle(): readonly string[] {
    return this.#bundle;
  }

  certificates(): X509Certificate[] {
    return this.#bundle.map((pem) => new X509Certificate(pem));
  }

  current(): X509Certificate | undefined {
    return this.#current === undefined ? undefined : new X509Certificate(this.#current);
  }

  next(): X509Certificate | undefined {
    return this.#next === undefined ? undefined : new X509Certificate(this.#next);
  }

  /** When the next CA entered the bundle (after a restart: from its notAfter and caTtlSeconds). */
  nextSinceMs(): number | undefined {
    return this.#nextSinceMs;
  }

  /**
   * CAs in the bundle that neither issue nor are about to: they leave once their leaves expired.
   * None while no `ca.key` matches: a bundle brought without its key is the operator's, not ours to trim.
   */
  retiring(): X509Certificate[] {
    if (this.#current === undefined) return [];
    return this.#bundle.filter((pem) => pem !== this.#current && pem !== this.#next).map((pem) => new X509Certificate(pem));
  }

  /** The issuing authority, its key read from `ca.key` now. */
  issuer(): Promise<Authority> {
    return loadAuthorityFromFiles(this.#settings.dir, this.#bundle, CA_KEY_FILE);
  }

  /** L4 step 1: a new CA enters the bundle; nothing is issued under it yet. */
  async beginRollover(): Promise<void> {
    if (this.#next !== undefined) return;
    const ca = await this.#create();
    await this.#write(NEXT_CA_KEY_FILE, ca.privateKeyPem, 0o600);
    await this.#writeBundle([...this.#bundle, ca.certificatePem]);
    this.#next = ca.certificatePem;
    this.#nextSinceMs = this.#settings.clock.now();
  }

  /** L4 step 2: the next CA issues from now on; the old key is replaced (rename is atomic). */
  async promote(): Promise<void> {
    if (this.#next === undefined) return;
    await this.#settings.beforeWrite?.(join(this.#settings.dir, CA_KEY_FILE));
    await rename(join(this.#settings.dir, NEXT_CA_KEY_FILE), join(this.#settings.dir, CA_KEY_FILE));
    this.#current = this.#next;
    this.#next = undefined;
    this.#nextSinceMs = undefined;
  }

  /** L4 step 3: a retiring CA leaves the bundle. */
  async remove(certificate: X509Certificate): Promise<void> {
    const thumbprint = certificateThumbprint(certificate.raw);
    await this.#writeBundle(this.#bundle.filter((pem) => certificateThumbprint(pem) !== thumbprint));
  }

  async #matching(keyFile: string): Promise<string | undefined> {
    try {
      const keyPem = await readOptionalFile(join(this.#settings.dir, keyFile));
      return keyPem === undefined ? undefined : certificateOfKey(this.#bundle, keyPem);
    } catch {
      return undefined; // unusable now; issuer() reports why when a renewal needs it
    }
  }

  #create(): Promise<Authority> {
    const now = new Date(this.#settings.clock.now());
    // A distinct name per CA, so logs, `openssl x509 -issuer` and path building tell them apart
    // (two rollovers may fall in one second: the random part keeps the names apart then).
    const commonName = `${this.#settings.caCommonName} ${now.toISOString().replace(/\.\d+Z$/, 'Z')} ${randomBytes(3).toString('hex')}`;
    return createCertificateAuthority({ commonName, validitySeconds: this.#settings.caTtlSeconds, keyAlgorithm: this.#settings.keyAlgorithm, now });
  }

  async #writeBundle(bundle: string[]): Promise<void> {
    await this.#write(CA_BUNDLE_FILE, renderTrustBundle(bundle), 0o644);
    this.#bundle = bundle;
  }

  #write(file: string, content: string, mode: number): Promise<void> {
    const beforeWrite = this.#settings.beforeWrite;
    return writeFileAtomically(join(this.#settings.dir, file), content, { mode, ...(beforeWrite === undefined ? {} : { beforeWrite }) });
  }
}
