import { BindingError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import { checkIatWindow } from '../pop/check-iat-window.js';
import { resolveIatWindow, type IatWindow } from '../time/iat-window.js';
import { DPOP_PROFILE } from './parse-proof-header.js';
import type { DpopProofClaims } from './parse-proof-claims.js';

export { DEFAULT_IAT_FUTURE_S, DEFAULT_IAT_PAST_S, MAX_IAT_WINDOW_S, replayWindowSeconds } from '../time/iat-window.js';

/** How far `iat` may lie behind and ahead of the server's clock (the one IatWindow). */
export type ProofTimeWindow = IatWindow;

/** Validates the window once, at construction: whole seconds, past 1-600, future 0-600 (resolveIatWindow). */
export function resolveProofTimeWindow(pastSeconds: unknown, futureSeconds: unknown): ProofTimeWindow {
  return resolveIatWindow(pastSeconds, futureSeconds, 'DPoP:');
}

/**
 * E16: RFC 9449 §4.3 (11) "the creation time of the JWT, as determined by either the iat claim or
 * a server managed timestamp via the nonce claim, is within an acceptable window": `iat` no more
 * than `pastSeconds` old and no more than `futureSeconds` ahead of `now`, fractions as sent
 * (checkIatWindow, the core's window, shared with the hop profile's checkProofIat). When present,
 * RFC 7519 `exp` and `nbf` are honoured too: §4.1.4 `exp` is the time "on or after which the JWT
 * MUST NOT be accepted for processing" (no leeway: the client chose it, and a later `exp` never
 * widens the `iat` window); `nbf` may lie up to `futureSeconds` ahead, the skew already allowed
 * for `iat`. With `futureSeconds` 0, a proof stamped by an unfloored client clock within the
 * current second is ahead of that clock and fails; the default skew of 10 s covers it.
 * Does not check the nonce's age: the nonce issuer does.
 */
export function checkProofTime(
  claims: Pick<DpopProofClaims, 'iat' | 'exp' | 'nbf'>,
  now: number,
  window: IatWindow,
): void {
  checkIatWindow(claims.iat, now, window, DPOP_PROFILE);
  if (claims.exp !== undefined && now >= claims.exp) {
    throw new BindingError(FailureType.ProofNotFresh, 'DPoP proof has expired (exp)');
  }
  if (claims.nbf !== undefined && claims.nbf > now + window.futureSeconds) {
    throw new BindingError(FailureType.ProofNotFresh, 'DPoP proof is not yet valid (nbf)');
  }
}
