import { BindingConfigError } from '../errors/binding-error.js';
import type { HopProofInput, HopProofSigner } from './sign-hop-proof.js';

/**
 * SECURITY.md L2: the hop proof signer of a workload whose certificate is renewed while it runs.
 * It delegates to one signer built by createHopProofSigner for the current certificate; `use()`
 * swaps it the moment a new certificate is accepted, so the next proof is signed with the new key
 * and carries the new `x5c`, and `certificateThumbprint` names the new certificate.
 * A proof being signed while the swap happens finishes with the signer it started with.
 * Callers that must sign two things with one certificate (an exchange and the call that uses its
 * token) take `current` once and use that signer for both (see pinnedSigner).
 * Does not read files or check the new certificate against a trust anchor: whoever calls `use()`
 * has loaded and checked it; createHopProofSigner checks the key against the leaf.
 */
export class RotatingHopProofSigner implements HopProofSigner {
  #current: HopProofSigner;

  constructor(initial: HopProofSigner) {
    this.#current = checked(initial);
  }

  /** The signer of the certificate in use now. */
  get current(): HopProofSigner {
    return this.#current;
  }

  get certificateThumbprint(): string {
    return this.#current.certificateThumbprint;
  }

  sign(input: HopProofInput): Promise<string> {
    return this.#current.sign(input);
  }

  /** From now on, sign with `next` (built for the renewed certificate). */
  use(next: HopProofSigner): void {
    this.#current = checked(next);
  }
}

/**
 * The signer to use for one operation from start to end: the rotating signer's current one, or
 * `signer` itself. An exchanged token is bound to the certificate that signed the exchange proof,
 * so the call that presents it must be signed by the same certificate, even across a swap.
 */
export function pinnedSigner(signer: HopProofSigner): HopProofSigner {
  return signer instanceof RotatingHopProofSigner ? signer.current : signer;
}

function checked(signer: HopProofSigner): HopProofSigner {
  if (typeof signer?.sign !== 'function' || typeof signer.certificateThumbprint !== 'string') {
    throw new BindingConfigError('rotating hop signer: expected a hop proof signer (createHopProofSigner)');
  }
  return signer;
}
