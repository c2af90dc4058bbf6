import { describe, expect, it } from '@jest/globals';
import { expectBindingError } from '../../test-support/expect-binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import type { AccessTokenClaims } from '../token/access-token.js';
import { actorChainOf, checkActor, checkCaller } from './check-actor.js';

const ORDERS = 'spiffe://estate.local/orders';
const EDGE = 'spiffe://estate.local/edge';

const claims = (act: unknown): AccessTokenClaims =>
  ({ iss: 'spiffe://estate.local/sts', sub: 'alice', aud: 'spiffe://estate.local/inventory', exp: 1, act }) as AccessTokenClaims;

describe('actors and callers', () => {
  it('H11: the actor chain is read nearest first, and act.sub equal to the sender passes', () => {
    const chain = actorChainOf(claims({ sub: ORDERS, act: { sub: EDGE } }));
    expect(chain).toEqual([ORDERS, EDGE]);
    expect(() => checkActor(chain, ORDERS)).not.toThrow();
  });

  it('H11: act.sub naming another workload fails, even when the sender appears deeper in the chain', () => {
    const chain = actorChainOf(claims({ sub: EDGE, act: { sub: ORDERS } }));
    expectBindingError(() => checkActor(chain, ORDERS), FailureType.ActorMismatch, 'invalid_token');
  });

  it('H11: a token without act fails the actor check', () => {
    expectBindingError(() => checkActor(actorChainOf(claims(undefined)), ORDERS), FailureType.ActorMismatch, 'invalid_token');
  });

  it('H11: a malformed or over-deep act is a malformed token', () => {
    let deep: unknown = { sub: EDGE };
    for (let depth = 0; depth < 16; depth += 1) deep = { sub: ORDERS, act: deep };
    for (const act of ['spiffe://estate.local/orders', { sub: 7 }, { sub: '' }, [{ sub: ORDERS }], { sub: ORDERS, act: null }, deep]) {
      expectBindingError(() => actorChainOf(claims(act)), FailureType.TokenMalformed, 'invalid_token');
    }
  });

  it('H11: a caller on the handler list, or any caller when the handler lists none, passes', () => {
    expect(() => checkCaller(ORDERS, [EDGE, ORDERS])).not.toThrow();
    expect(() => checkCaller(ORDERS, undefined)).not.toThrow();
  });

  it('H11: a caller not on the list, or any caller on an empty list, is refused with 403', () => {
    expectBindingError(() => checkCaller(ORDERS, [EDGE]), FailureType.CallerNotAllowed, 'insufficient_scope');
    expectBindingError(() => checkCaller(ORDERS, []), FailureType.CallerNotAllowed, 'insufficient_scope');
  });
});
