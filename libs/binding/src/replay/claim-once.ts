import { sha256Base64url } from '../crypto/digest.js';
import { BindingError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import type { ReplayStore } from './replay-store.js';

/**
 * E17, H6, the last check of every proof: its `jti` is claimed once in the replay store. RFC 9449
 * §11.1: "servers can store ... the jti value of each DPoP proof for the time window in which the
 * respective DPoP proof JWT would be accepted" and "should ... store only a hash thereof". The
 * claim is `(sender, SHA-256(jti))`: scoped per sender (the DPoP key's `jkt`, or the hop
 * certificate's `x5t#S256`) so one sender cannot burn another's identifiers, kept `ttlSeconds`,
 * the whole acceptance window, future-dated proofs included. Call it after every other check
 * passed, so a refused request never burns a `jti`. Fails closed: an answer other than `true`
 * is `ProofReplayed`; a store that rejects (unreachable, full, erring) is
 * `ReplayStoreUnavailable` (503), its error kept as `cause`. Returns the jti hash, the only form
 * of `jti` fit for logs.
 * Does not decide the ttl or check the proof: the verifier and the earlier checks do.
 */
export async function claimOnce(store: ReplayStore, sender: string, jti: string, ttlSeconds: number): Promise<string> {
  const jtiHash = sha256Base64url(jti);
  let claimed: boolean;
  try {
    claimed = await store.claim(sender, jtiHash, ttlSeconds);
  } catch (cause) {
    if (cause instanceof BindingError && cause.type === FailureType.ReplayStoreUnavailable) throw cause;
    throw new BindingError(FailureType.ReplayStoreUnavailable, 'replay store could not record the proof', { cause });
  }
  if (claimed !== true) throw new BindingError(FailureType.ProofReplayed, 'proof has already been used');
  return jtiHash;
}
