import { BindingError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import type { IatWindow } from '../time/iat-window.js';
import type { PopProfile } from './pop-profile.js';

/**
 * E16, H6: RFC 9449 §4.3 (11) "the creation time of the JWT, as determined by either the iat claim
 * or a server managed timestamp via the nonce claim, is within an acceptable window": `iat` no more
 * than `pastSeconds` old and no more than `futureSeconds` ahead of `now`, both bounds inclusive.
 * `iat` is compared as sent, fractions included (RFC 7519 §2), against the verifier's whole-second
 * clock, so a fractional `iat` moves neither bound and the replay ttl (replayWindowSeconds) still
 * covers every instant it can be accepted. With `futureSeconds` 0, a proof stamped by an unfloored
 * client clock within the current second is ahead of that clock and fails. Fails with ProofNotFresh.
 * Does not check `exp` or `nbf` (the profile does: checkProofTime, checkProofExpiry), nor `jti`
 * uniqueness (claimOnce does, last).
 */
export function checkIatWindow(iat: number, now: number, window: IatWindow, profile: PopProfile): void {
  if (iat < now - window.pastSeconds) {
    throw new BindingError(FailureType.ProofNotFresh, `${profile.name} iat is too far in the past`);
  }
  if (iat > now + window.futureSeconds) {
    throw new BindingError(FailureType.ProofNotFresh, `${profile.name} iat is too far in the future`);
  }
}
