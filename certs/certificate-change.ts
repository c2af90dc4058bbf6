/**
 * What the renewer reports through `onChange`, after the files are in place. The caller decides
 * what must reload: nats-server on every change (SIGHUP: its certificate, its trust bundle, its
 * pins); a workload only watches its own files.
 *
 * - `leaf`: `<name>.key` and then `<name>.crt` were replaced.
 * - `bundle`: `ca.crt` gained a CA (rollover begins) or lost one (its last leaf expired).
 * - `pins`: `nats-pins.conf` changed: a client leaf was issued, expired or was revoked. When the
 *   renewer issues a leaf it reports `pins` and awaits the callback before it writes the leaf,
 *   so a broker reloaded in the callback already admits the new certificate when a workload
 *   first presents it.
 */
export type CertificateChange =
  | { readonly kind: 'leaf'; readonly name: string; readonly notAfter: Date; readonly thumbprint: string }
  | { readonly kind: 'bundle'; readonly reason: 'created' | 'ca-added' | 'ca-removed'; readonly authorities: number }
  | { readonly kind: 'pins'; readonly count: number };

/** Awaited; a rejection is logged and does not stop the renewer. */
export type CertificateChangeListener = (change: CertificateChange) => void | Promise<void>;

export interface LeafStatus {
  readonly name: string;
  readonly notAfter?: Date;
  /** x5t#S256 of the current certificate. */
  readonly thumbprint?: string;
  readonly lastRenewal?: Date;
  readonly nextRenewal?: Date;
  /** The reason of the last failure, kept after a later success (see consecutiveFailures). */
  readonly lastError?: string;
  readonly lastErrorAt?: Date;
  /** 0 once a renewal succeeded again. */
  readonly consecutiveFailures: number;
  /** Leaves this renewer issued under this name since start (a soak counts rotations with it). */
  readonly issued: number;
}

export interface AuthorityStatus {
  readonly thumbprint: string;
  readonly commonName: string;
  readonly notAfter: Date;
  /** `trusted`: in the bundle while no `ca.key` matches any CA (a bundle brought without its key). */
  readonly role: 'current' | 'next' | 'retiring' | 'trusted';
  /** A retiring CA leaves the bundle then: its last leaf's notAfter. */
  readonly removeAt?: Date;
}

export interface RenewerStatus {
  readonly leaves: Readonly<Record<string, LeafStatus>>;
  readonly authorities: readonly AuthorityStatus[];
  /** When the next CA starts issuing (end of the bundle propagation delay), during a rollover. */
  readonly promoteAt?: Date;
  /** When an automatic rollover begins. */
  readonly rolloverAt?: Date;
  readonly pins: number;
  /** Rollovers completed (a new CA became the issuer) since start. */
  readonly caRollovers: number;
  readonly lastCaError?: string;
}
