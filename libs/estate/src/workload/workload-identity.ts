import { Logger } from '@nestjs/common';
import {
  createCertificatePathValidator, createHopProofSigner, RotatingCertificatePathValidator, RotatingHopProofSigner, type
  CertificatePathValidator, type HopProofSigner,
} from '#binding/hop';
import type { EstateConfig } from '../config/estate-config.js';
import type { TlsIdentity } from '../config/tls-identity.js';
import { TRUST_DOMAIN } from '../identity/estate-identity.js';
import { natsTlsOptions, type NatsTlsOptions } from '../nats/nats-connection-options.js';
import { certificateReadiness } from '../ops/certificate-readiness.js';
import type { ReadinessCheck } from '../ops/readiness.js';
import { IdentityWatcher, type IdentityWatcherOptions } from './identity-watcher.js';

/** A NATS connection or Nest transport that moves to a renewed certificate (RotatingConnection, RotatingServerNats, RotatingClientNats). */
export interface TlsRotatable {
  rotate(tls: NatsTlsOptions): Promise<void>;
}

/**
 * A connection the broker refused with the renewed certificate (e.g. during a CA rollover, a leaf
 * of the new CA before the broker trusts it) stays on the old one and tries again this often,
 * while the renewed certificate is still the newest.
 */
export const DEFAULT_ROTATION_RETRY_MS = 2_000; // milliseconds

export interface WorkloadIdentityOptions extends IdentityWatcherOptions {
  readonly retryMs?: number;
}

/**
 * A workload's certificate, key and trust bundle as they are renewed while it runs (SECURITY.md
 * L1-L4, L6; ARCHITECTURE "Certificate lifecycle"). On each new identity the watcher accepts:
 * 1. hop proofs are signed with the new key and carry the new `x5c` at once (L2);
 * 2. a changed bundle becomes the hop verifiers' trust anchors (L4): a new validator, whose empty
 *    path cache cannot serve a chain to a removed anchor;
 * 3. every followed connection and Nest transport moves, make-before-break (L3), concurrently; one
 *    the broker refuses stays where it is and is retried every `retryMs` while this identity is
 *    the newest. Failures are logged, never key material.
 * `readiness` turns not ready within the margin of expiry (L6).
 */
export class WorkloadIdentity {
  readonly watcher: IdentityWatcher;
  readonly signer: RotatingHopProofSigner;
  readonly certificates: RotatingCertificatePathValidator;
  readonly readiness: ReadinessCheck;
  readonly #followers = new Set<TlsRotatable>();
  readonly #retryMs: number;
  readonly #logger = new Logger('WorkloadIdentity');
  readonly #timers = new Set<NodeJS.Timeout>();

  private constructor(config: EstateConfig, options: WorkloadIdentityOptions) {
    this.watcher = new IdentityWatcher(config.tls, config.spiffeId, { log: (message) => this.#logger.warn(message), ...options });
    this.signer = new RotatingHopProofSigner(signerOf(config.tls));
    this.certificates = new RotatingCertificatePathValidator(validatorOf(config.tls));
    this.readiness = certificateReadiness({
      identity: () => this.watcher.current,
      marginSeconds: config.certReadyMarginS,
      problem: () => this.watcher.problem,
    });
    this.#retryMs = options.retryMs ?? DEFAULT_ROTATION_RETRY_MS;
    this.watcher.subscribe((identity, previous) => this.#renew(identity, previous));
  }

  /** Starts watching the files named by `config.tls`. */
  static start(config: EstateConfig, options: WorkloadIdentityOptions = {}): WorkloadIdentity {
    const identity = new WorkloadIdentity(config, options);
    identity.watcher.start();
    return identity;
  }

  /** The identity in use. */
  get current(): TlsIdentity {
    return this.watcher.current;
  }

  /**
   * Moves `target` to every renewed certificate from now on; returns the function that stops it.
   * `openedWith`: the identity `target` connected with, when it connected before following (an
   * await apart): if a renewal landed meanwhile, `target` moves to it now.
   */
  follow(target: TlsRotatable, openedWith?: TlsIdentity): () => void {
    this.#followers.add(target);
    if (openedWith !== undefined && openedWith !== this.current) void this.#move(target, this.current);
    return () => this.#followers.delete(target);
  }

  close(): void {
    this.watcher.close();
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }

  async #renew(identity: TlsIdentity, previous: TlsIdentity): Promise<void> {
    this.signer.use(signerOf(identity));
    if (identity.ca !== previous.ca) this.certificates.use(validatorOf(identity));
    this.#logger.log(`certificate renewed: ${identity.certFile}, valid until ${identity.notAfter.toISOString()}${identity.ca === previous.ca ? '' : '; trust bundle reloaded'}`);
    const moved = await Promise.all([...this.#followers].map((target) => this.#move(target, identity)));
    // What an operator (and the demo) waits on: from here on nothing of this workload uses the previous certificate.
    if (moved.every(Boolean)) this.#logger.log(`every NATS connection moved to the renewed certificate, x5t#S256 ${this.signer.certificateThumbprint}`);
  }

  /** Resolves whether `target` now runs on `identity`; on failure it retries in the background. */
  async #move(target: TlsRotatable, identity: TlsIdentity): Promise<boolean> {
    if (this.watcher.current !== identity || !this.#followers.has(target)) return false;
    try {
      await target.rotate(natsTlsOptions(identity));
      return true;
    } catch (error) {
      this.#logger.warn(`a NATS connection stays on the previous certificate, retrying in ${this.#retryMs} ms: ${error instanceof Error ? error.message : String(error)}`);
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        void this.#move(target, identity).then((moved) => {
          if (moved) this.#logger.log(`a NATS connection moved to the renewed certificate after a retry, x5t#S256 ${this.signer.certificateThumbprint}`);
        });
      }, this.#retryMs);
      timer.unref();
      this.#timers.add(timer);
      return false;
    }
  }
}

function signerOf(identity: TlsIdentity): HopProofSigner {
  return createHopProofSigner({ privateKey: identity.key, certificateChainPem: identity.cert });
}

function validatorOf(identity: TlsIdentity): CertificatePathValidator {
  return createCertificatePathValidator({ trustAnchorsPem: identity.ca, trustDomain: TRUST_DOMAIN });
}
