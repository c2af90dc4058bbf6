import type { AuthorityStatus, LeafStatus } from './certificate-change.js';
import type { AuthoritySet } from './authority-set.js';
import type { LeafSpec } from './estate-leaves.js';
import { certificateThumbprint } from './spki-pin.js';

/** What the renewer knows of one leaf, for status() (SECURITY.md L6: a failure is reported). */
export class LeafRecord {
  readonly spec: LeafSpec;
  #notAfter: Date | undefined;
  #thumbprint: string | undefined;
  #lastRenewal: Date | undefined;
  #lastError: string | undefined;
  #lastErrorAt: Date | undefined;
  #consecutiveFailures = 0;
  #issued = 0;

  constructor(spec: LeafSpec) {
    this.spec = spec;
  }

  get thumbprint(): string | undefined {
    return this.#thumbprint;
  }

  /** A valid leaf found on disk at start. */
  adopted(notAfter: Date, thumbprint: string): void {
    this.#notAfter = notAfter;
    this.#thumbprint = thumbprint;
  }

  renewed(at: Date, notAfter: Date, thumbprint: string): void {
    this.#lastRenewal = at;
    this.#notAfter = notAfter;
    this.#thumbprint = thumbprint;
    this.#consecutiveFailures = 0;
    this.#issued++;
  }

  /** Returns the number of failures in a row. */
  failed(at: Date, reason: string): number {
    this.#lastError = reason;
    this.#lastErrorAt = at;
    return ++this.#consecutiveFailures;
  }

  status(nextRenewalMs: number | undefined): LeafStatus {
    return Object.freeze({
      name: this.spec.name,
      ...(this.#notAfter === undefined ? {} : { notAfter: this.#notAfter }),
      ...(this.#thumbprint === undefined ? {} : { thumbprint: this.#thumbprint }),
      ...(this.#lastRenewal === undefined ? {} : { lastRenewal: this.#lastRenewal }),
      ...(nextRenewalMs === undefined ? {} : { nextRenewal: new Date(nextRenewalMs) }),
      ...(this.#lastError === undefined ? {} : { lastError: this.#lastError, lastErrorAt: this.#lastErrorAt! }),
      consecutiveFailures: this.#consecutiveFailures,
      issued: this.#issued,
    });
  }
}

export function authorityStatus(authorities: AuthoritySet, removeAtOf: (thumbprint: string) => number | undefined): AuthorityStatus[] {
  const current = authorities.current();
  const next = authorities.next();
  const retiring = authorities.retiring();
  return authorities.certificates().map((certificate) => {
    const thumbprint = certificateThumbprint(certificate.raw);
    const role = current?.raw.equals(certificate.raw) ? 'current' : next?.raw.equals(certificate.raw) ? 'next' : retiring.some((ca) => ca.raw.equals(certificate.raw)) ? 'retiring' : 'trusted';
    const removeAt = role === 'retiring' ? removeAtOf(thumbprint) : undefined;
    return Object.freeze({
      thumbprint,
      commonName: /CN=([^\n]*)/.exec(certificate.subject)?.[1] ?? certificate.subject,
      notAfter: new Date(certificate.validTo),
      role,
      ...(removeAt === undefined ? {} : { removeAt: new Date(removeAt) }),
    });
  });
}
