import { integerOption } from '../options/integer-range.js';

/**
 * The `iat` window of a proof of possession, DPoP (E16) and hop (H6) alike: how far a proof's
 * `iat` may lie behind (`pastSeconds`) and ahead of (`futureSeconds`) the verifier's clock.
 * RFC 9449 §11.1: proofs accepted "only for a limited time after their creation", and "the server
 * MAY accept DPoP proofs that carry an iat time in the reasonably near future".
 */
export interface IatWindow {
  readonly pastSeconds: number;
  readonly futureSeconds: number;
}

export const DEFAULT_IAT_PAST_S = 60; // seconds a proof may be old
export const DEFAULT_IAT_FUTURE_S = 10; // seconds a proof may be ahead of the verifier's clock

/**
 * The widest either side of an `iat` window may be configured, in seconds: no verifier accepts a
 * proof older than this, nor one dated further ahead than this. It bounds each side on its own,
 * not their sum, so the longest a replay store must remember a `jti` (replayWindowSeconds) is
 * 2 * MAX_IAT_WINDOW_S; and since a hop proof's `exp` lies at most `pastSeconds` after its `iat`,
 * it bounds a hop proof's lifetime too. A wider setting is a configuration mistake.
 */
export const MAX_IAT_WINDOW_S = 600; // seconds, either side

/**
 * Validates a window once, at construction: whole seconds, past 1 to MAX_IAT_WINDOW_S, future 0 to
 * MAX_IAT_WINDOW_S; `what` names the verifier in the BindingConfigError (`DPoP:`, `hop verifier`).
 */
export function resolveIatWindow(pastSeconds: unknown, futureSeconds: unknown, what: string): IatWindow {
  return Object.freeze({
    pastSeconds: integerOption(pastSeconds, `${what} iatPastSeconds`, 1, MAX_IAT_WINDOW_S),
    futureSeconds: integerOption(futureSeconds, `${what} iatFutureSeconds`, 0, MAX_IAT_WINDOW_S),
  });
}

/**
 * How long a proof's `jti` must be remembered (E17, H6): a proof is accepted while
 * `iat - future <= now <= iat + past`, so from the moment it is first seen at most
 * `past + future` seconds, future-dated proofs included.
 */
export function replayWindowSeconds(window: IatWindow): number {
  return window.pastSeconds + window.futureSeconds;
}
