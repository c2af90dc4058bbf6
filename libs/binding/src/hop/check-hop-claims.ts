import { digestEquals } from '../crypto/digest.js';
import { BindingError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import { checkIatWindow } from '../pop/check-iat-window.js';
import type { IatWindow } from '../time/iat-window.js';
import { HOP_PROFILE, type HopProofClaims } from './parse-hop-proof.js';
import { payloadHash } from './payload-hash.js';

/** How far from the receiver's clock a proof's `iat` may be (H6): the one IatWindow of every proof. */
export type { IatWindow } from '../time/iat-window.js';

/**
 * H5: the proof is addressed to this service. ARCHITECTURE "Check at B": "`aud` is B". Compared
 * exactly (SPIFFE IDs are case-sensitive in their path, and no normalisation is defined), so a
 * proof that one service received cannot be replayed to another. Fails with ProofAudience.
 * Does not check the token's own `aud`: checkAudience does (H9).
 */
export function checkProofAudience(claims: HopProofClaims, audience: string): void {
  if (claims.aud !== audience) {
    throw new BindingError(FailureType.ProofAudience, 'hop proof aud is not this service');
  }
}

/**
 * H5: the proof names the NATS subject being handled ("`sub` is the subject being handled"), so a
 * proof for `orders.read` cannot authorise `orders.cancel` on the same service. Exact comparison:
 * NATS subjects are case-sensitive. Fails with ProofSubject.
 * Does not check that the caller may use the subject: the broker permissions and checkCaller do.
 */
export function checkProofSubject(claims: HopProofClaims, subject: string): void {
  if (claims.sub !== subject) {
    throw new BindingError(FailureType.ProofSubject, 'hop proof sub is not the subject being handled');
  }
}

/**
 * H6: `iat` within the window around the receiver's clock, as RFC 9449 §4.3 (11) asks of DPoP:
 * "the creation time of the JWT ... is within an acceptable window" (checkIatWindow, the core's
 * window, shared with DPoP's checkProofTime). At most `pastSeconds` old and `futureSeconds` ahead,
 * both bounds inclusive; the window also bounds how long the replay store must remember the `jti`.
 * A proof 8 s ahead passes with the default 10 s; one an hour off fails. Fails with ProofNotFresh.
 * Does not check `exp` (checkProofExpiry does, next) nor `jti` uniqueness (claimOnce does, last).
 */
export function checkProofIat(claims: HopProofClaims, now: number, window: IatWindow): void {
  checkIatWindow(claims.iat, now, window, HOP_PROFILE);
}

/**
 * H6: `exp` (draft-ietf-wimse-wpt-02 §2: a WPT "MUST contain" it, and "WPT lifetimes MUST be
 * short"; the recipient checks it "has not passed") has not passed by the receiver's clock, lies after `iat`, and at most the past side of the
 * `iat` window after it, so a proof never outlives what its `iat` allows and the replay store
 * (which keeps a `jti` for the whole window) still holds its claim. A proof whose `exp` has passed
 * fails with ProofNotFresh; one whose `exp` is not after `iat`, or too far after it, fails with
 * ProofClaims (a signer's mistake, or an attempt to outlive the window).
 * Does not check `iat` itself: checkProofIat does, just before.
 */
export function checkProofExpiry(claims: HopProofClaims, now: number, window: IatWindow): void {
  if (claims.exp <= claims.iat || claims.exp - claims.iat > window.pastSeconds) {
    throw new BindingError(FailureType.ProofClaims, 'hop proof exp is not within the iat window after iat');
  }
  if (claims.exp <= now) {
    throw new BindingError(FailureType.ProofNotFresh, 'hop proof has expired');
  }
}

/**
 * H7: `pdh` equals payloadHash(received payload), binding the proof to this message's content so a
 * captured proof and token cannot carry another payload. Constant-time. A payload that has no JSON
 * form fails the same way. Fails with PayloadHashMismatch.
 * Does not validate the payload's shape: the handler does.
 */
export function checkPayloadHash(claims: HopProofClaims, payload: unknown): void {
  let expected: string;
  try {
    expected = payloadHash(payload);
  } catch (cause) {
    throw new BindingError(FailureType.PayloadHashMismatch, 'payload has no canonical JSON form', { cause });
  }
  if (!digestEquals(claims.pdh, expected)) {
    throw new BindingError(FailureType.PayloadHashMismatch, 'hop proof pdh does not match the payload');
  }
}
