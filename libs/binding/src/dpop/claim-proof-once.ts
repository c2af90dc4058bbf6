import { sha256Base64url } from '../crypto/digest.js';
import { BindingError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import type { ReplayStore } from '../replay/replay-store.js';

/**
 * E17: RFC 9449 §11.1 "servers can store, in the context of the target URI, the jti value of each
 * DPoP proof for the time window in which the respective DPoP proof JWT would be accepted" and
 * "should reject DPoP proof JWTs with unnecessarily large jti values or store only a hash thereof".
 * Claims `(jkt, SHA-256(jti))` once in the shared store, scoped per sender key so one client cannot
 * burn another's identifiers, for `ttlSeconds` (replayWindowSeconds: the whole acceptance window,
 * future-dated proofs included). Call it last, after every other check passed, so a refused
 * request never burns a `jti`. Fails closed: an answer other than `true` is `ProofReplayed`; a
 * store that rejects (unreachable, full, erring) is `ReplayStoreUnavailable`, its error kept as
 * `cause`. Returns the jti hash, the only form of `jti` fit for logs.
 * Does not decide the ttl or check the proof: the orchestrator and the earlier checks do.
 */
export async function claimProofOnce(store: ReplayStore, jkt: string, jti: string, ttlSeconds: number): Promise<string> {
  const jtiHash = sha256Base64url(jti);
  let claimed: boolean;
  try {
    claimed = await store.claim(jkt, jtiHash, ttlSeconds);
  } catch (cause) {
    if (cause instanceof BindingError && cause.type === FailureType.ReplayStoreUnavailable) throw cause;
    throw new BindingError(FailureType.ReplayStoreUnavailable, 'replay store could not record the DPoP proof', { cause });
  }
  if (claimed !== true) throw new BindingError(FailureType.ProofReplayed, 'DPoP proof has already been used');
  return jtiHash;
}
