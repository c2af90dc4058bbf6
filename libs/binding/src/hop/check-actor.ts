import { BindingError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import type { AccessTokenClaims } from '../token/access-token.js';

/** RFC 8693 chains are short (one entry per hop); a deeper `act` is refused rather than walked. */
export const MAX_ACTOR_CHAIN_LENGTH = 16; // actors

/**
 * RFC 8693 §4.1 `act`: "the current actor", nested to record prior actors. Returns the actor
 * SPIFFE IDs, nearest first (`act.sub`, then `act.act.sub`, ...). Each `act` must be an object
 * with a non-empty string `sub`; otherwise the token is TokenMalformed (RFC 8693 §4.1: the `act`
 * "claim value is a JSON object"). A token without `act` gives an empty chain.
 * Does not compare the actors with anything: checkActor and the policy do.
 */
export function actorChainOf(claims: AccessTokenClaims): string[] {
  const chain: string[] = [];
  let actor: unknown = claims.act;
  while (actor !== undefined) {
    const sub = typeof actor === 'object' && actor !== null && !Array.isArray(actor) ? (actor as { sub?: unknown }).sub : undefined;
    if (typeof sub !== 'string' || sub.length === 0 || chain.length === MAX_ACTOR_CHAIN_LENGTH) {
      throw new BindingError(FailureType.TokenMalformed, 'token act claim is not a chain of actors with sub');
    }
    chain.push(sub);
    actor = (actor as { act?: unknown }).act;
  }
  return chain;
}

/**
 * H11: the token's current actor is the workload that signed the hop proof: `act.sub` equals the
 * SPIFFE ID of `x5c[0]`. The STS issues the token with `act` = the caller (ARCHITECTURE
 * "Exchange"), so a token obtained by one service and presented, with its own valid certificate,
 * by another fails here even before the `cnf` comparison would. Fails with ActorMismatch,
 * including for a token with no `act`. Does not check the earlier actors: the policy may.
 */
export function checkActor(actorChain: readonly string[], certificateSpiffeId: string): void {
  if (actorChain.length === 0 || actorChain[0] !== certificateSpiffeId) {
    throw new BindingError(FailureType.ActorMismatch, 'token act.sub is not the sending workload');
  }
}

/**
 * H11: the calling workload is one the handler allows. `callers` undefined means any workload
 * with a valid certificate of the trust domain (the handler declared no restriction); an empty
 * list allows none. Exact comparison of SPIFFE IDs. Fails with CallerNotAllowed (403).
 * Does not check scopes: the policy's scope check does.
 */
export function checkCaller(callerSpiffeId: string, callers: readonly string[] | undefined): void {
  if (callers !== undefined && !callers.includes(callerSpiffeId)) {
    throw new BindingError(FailureType.CallerNotAllowed, 'calling workload is not allowed by this handler');
  }
}
