import { sha256Base64url } from '../crypto/digest.js';
import { BindingError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import type { ReplayStore } from '../replay/replay-store.js';

/**
 * H6, last of all checks: the proof's `jti` is claimed once in the replay store, as E17 asks of
 * DPoP (RFC 9449 §11.1: "the server MUST ensure that a DPoP proof is used only once"), keyed per
 * sender certificate (scope = its `x5t#S256`) and by SHA-256 of the `jti` (never the raw value),
 * kept `ttlSeconds`: the whole window in which the proof could still be accepted, future-dated
 * proofs included. Runs last so a request that fails any other check never burns a `jti`.
 * Returns the `jti` hash for logs. A claim already held fails with ProofReplayed; a store that
 * rejects fails closed with ReplayStoreUnavailable (503), its error kept as `cause`.
 * Does not check `iat`: checkProofIat does, before.
 */
export async function claimHopProof(store: ReplayStore, certificateThumbprint: string, jti: string, ttlSeconds: number): Promise<string> {
  const jtiHash = sha256Base64url(jti);
  let claimed: boolean;
  try {
    claimed = await store.claim(certificateThumbprint, jtiHash, ttlSeconds);
  } catch (cause) {
    throw new BindingError(FailureType.ReplayStoreUnavailable, 'replay store could not record the hop proof', { cause });
  }
  if (claimed !== true) {
    throw new BindingError(FailureType.ProofReplayed, 'hop proof has already been used');
  }
  return jtiHash;
}
