import { X509Certificate } from 'node:crypto';
import type { TlsIdentity } from '../config/tls-identity.js';
import type { ReadinessCheck } from './readiness.js';

/**
 * Without CERT_READY_MARGIN_S, a workload turns not ready with a quarter of its certificate's
 * lifetime left. The renewer renews at half-life, so a failing renewal has had a quarter of the
 * lifetime of retries before the workload says so, and traffic then has the last quarter to move
 * to healthy replicas before anything expires. A fraction, not fixed seconds, because lifetimes
 * range from 30 s (tests: 7.5 s) to 1 h (15 min) and beyond; set CERT_READY_MARGIN_S to fix it.
 */
export const DEFAULT_CERT_READY_MARGIN_FRACTION = 0.25;

export interface CertificateReadinessOptions {
  /** The identity in use now (IdentityWatcher.current). */
  readonly identity: () => TlsIdentity;
  /** Fixed margin in seconds (CERT_READY_MARGIN_S); undefined: the fraction of the lifetime. */
  readonly marginSeconds?: number | undefined;
  /** Why renewed files are not in use, if they are not (IdentityWatcher.problem). */
  readonly problem?: () => string | undefined;
  readonly now?: () => number; // epoch milliseconds
}

/**
 * L6: not ready while the certificate in use has less than the margin of validity left (or has
 * expired): its renewal is late, and soon the broker and every receiver will refuse it. The
 * reason names the time left and, when renewed files exist but are not usable, why.
 */
export function certificateReadiness(options: CertificateReadinessOptions): ReadinessCheck {
  const now = options.now ?? Date.now;
  let lifetime: { readonly cert: string; readonly notBefore: number } | undefined;
  return () => {
    const identity = options.identity();
    if (lifetime?.cert !== identity.cert) lifetime = { cert: identity.cert, notBefore: new Date(new X509Certificate(identity.cert).validFrom).getTime() };
    const notAfter = identity.notAfter.getTime();
    const marginMs = options.marginSeconds === undefined ? (notAfter - lifetime.notBefore) * DEFAULT_CERT_READY_MARGIN_FRACTION : options.marginSeconds * 1000;
    const leftMs = notAfter - now();
    if (leftMs >= marginMs) return undefined;
    const problem = options.problem?.();
    const left = leftMs <= 0 ? `expired ${Math.ceil(-leftMs / 1000)} s ago` : `expires in ${Math.floor(leftMs / 1000)} s`;
    return `certificate ${left}, under the ${Math.round(marginMs / 1000)} s margin: not renewed${problem === undefined ? '' : ` (${problem})`}`;
  };
}
