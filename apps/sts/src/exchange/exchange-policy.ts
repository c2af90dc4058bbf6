import { ACCESS_TOKEN_TYPE, BindingError, FailureType, isScopeToken, spiffeIdProblem } from '#binding/core';
import type { SubjectTokenType } from './exchange-request.js';

/**
 * Which caller may obtain a token for which audience, and the widest scope it may carry there
 * (the ceiling). A caller or an audience not listed is refused. Frozen, built once at start-up.
 */
export interface ExchangePolicy {
  /** The one workload that may present the external issuer's (DPoP-bound) tokens: the edge. */
  readonly edge: string;
  /** caller SPIFFE ID → audience SPIFFE ID → scope ceiling. */
  readonly grants: ReadonlyMap<string, ReadonlyMap<string, readonly string[]>>;
}

/** The raw form, as configuration holds it (JSON): `{ "<caller>": { "<audience>": ["scope", ...] } }`. */
export type ExchangePolicyDocument = Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;

/**
 * The estate's call graph (ARCHITECTURE "Parts"): the edge calls orders, orders calls inventory.
 * Scopes never widen along the chain (the issued scope is also capped by the subject token's), so
 * inventory is called with the end user's `orders:*` scopes: what the user allowed ordering covers.
 */
export const DEFAULT_EXCHANGE_POLICY: ExchangePolicyDocument = Object.freeze({
  'spiffe://estate.local/edge': Object.freeze({ 'spiffe://estate.local/orders': Object.freeze(['orders:read', 'orders:write']) }),
  'spiffe://estate.local/orders': Object.freeze({ 'spiffe://estate.local/inventory': Object.freeze(['orders:read', 'orders:write']) }),
});

/**
 * Validates a policy document once, at start-up: every caller and audience a SPIFFE ID of the trust
 * domain, every ceiling a non-empty list of scope-tokens, no caller granted a token for itself or
 * for the STS. Throws an Error naming the entry at fault (a configuration mistake).
 */
export function parseExchangePolicy(document: unknown, options: { trustDomain: string; edge: string; sts: string }): ExchangePolicy {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) throw new Error('exchange policy must be a JSON object');
  const grants = new Map<string, ReadonlyMap<string, readonly string[]>>();
  for (const [caller, audiences] of Object.entries(document)) {
    spiffeId(caller, options.trustDomain, 'caller');
    if (typeof audiences !== 'object' || audiences === null || Array.isArray(audiences)) throw new Error(`exchange policy: ${caller} must map audiences to scope lists`);
    const targets = new Map<string, readonly string[]>();
    for (const [audience, ceiling] of Object.entries(audiences as Record<string, unknown>)) {
      spiffeId(audience, options.trustDomain, 'audience');
      if (audience === caller || audience === options.sts) throw new Error(`exchange policy: ${caller} may not obtain tokens for ${audience}`);
      if (!Array.isArray(ceiling) || ceiling.length === 0 || !ceiling.every(isScopeToken)) {
        throw new Error(`exchange policy: the scopes of ${caller} -> ${audience} must be a non-empty list of scope-tokens`);
      }
      targets.set(audience, Object.freeze([...new Set(ceiling as string[])]));
    }
    grants.set(caller, targets);
  }
  return Object.freeze({ edge: spiffeId(options.edge, options.trustDomain, 'edge'), grants });
}

function spiffeId(value: string, trustDomain: string, what: string): string {
  const problem = spiffeIdProblem(value, trustDomain);
  if (problem !== undefined) {
    throw new Error(`exchange policy: ${what} "${value}" is not a SPIFFE ID of ${trustDomain}: it ${problem}`);
  }
  return value;
}

/**
 * The policy's verdict on an authenticated caller and the audience it asks for, before the subject
 * token is examined:
 * 1. RFC 6749 §5.2 unauthorized_client, "The authenticated client is not authorized to use this
 *    authorization grant type": a caller the policy does not list;
 * 2. RFC 8693 §2.2.2 invalid_target, 'If the authorization server is unwilling or unable to issue a
 *    token for any target service indicated by the "resource" or "audience" parameters, the
 *    "invalid_target" error code SHOULD be used': an audience this caller may not obtain a token for.
 * Returns the scope ceiling of (caller, audience). Fails with ExchangeNotAllowed or
 * ExchangeInvalidTarget. Does not look at the subject token nor its type: checkSubjectTokenType and
 * verifySubjectToken do.
 */
export function authorizeExchange(policy: ExchangePolicy, caller: string, audience: string): readonly string[] {
  const audiences = policy.grants.get(caller);
  if (audiences === undefined) throw new BindingError(FailureType.ExchangeNotAllowed, 'this caller may not exchange tokens');
  const ceiling = audiences.get(audience);
  if (ceiling === undefined) throw new BindingError(FailureType.ExchangeInvalidTarget, 'this caller may not obtain a token for that audience');
  return ceiling;
}

/**
 * The policy on the kind of subject token a caller may present: the external issuer's token
 * (`access_token`) from the edge only. That token is bound to the client's DPoP key (`cnf.jkt`),
 * which only the edge has seen proven (E20): the edge cannot prove that possession to the STS, so
 * the STS trusts the edge's own DPoP check, and the edge alone, for it (a policy decision). From any
 * other caller it is a client's DPoP token forwarded inward (H10), which no estate workload holds
 * legitimately: the subject token is "unacceptable based on policy", RFC 8693 §2.2.2 invalid_request
 * (the exchange runs this in its `subject` stage). Its failure type is ConfirmationMethod: the
 * token's binding is not the one this caller may present.
 * Fails with ConfirmationMethod. Does not verify the token nor read its `cnf`: verifySubjectToken does.
 */
export function checkSubjectTokenType(policy: ExchangePolicy, caller: string, tokenType: SubjectTokenType): void {
  if (tokenType === ACCESS_TOKEN_TYPE && caller !== policy.edge) {
    throw new BindingError(FailureType.ConfirmationMethod, 'only the edge may exchange an external (DPoP-bound) access token');
  }
}

/**
 * Scope narrowing: the issued scope is no wider than the subject token's (ARCHITECTURE "Exchange")
 * nor the policy's ceiling for (caller, audience). A request naming no scope gets everything both
 * allow; a request naming scopes gets exactly those, each of which both must allow (RFC 6749 §5.2
 * invalid_scope "exceeds the scope granted by the resource owner" otherwise). Nothing left to grant
 * is invalid_scope too: a token with no scope would authorise nothing. Returns the granted
 * scope-tokens in the order of the ceiling. Fails with ExchangeInvalidScope.
 * Does not check the subject token's scope syntax: the token verifier's claim types do.
 */
export function narrowScope(requested: readonly string[], subjectScope: string | undefined, ceiling: readonly string[]): readonly string[] {
  const held = new Set((subjectScope ?? '').split(' ').filter((scope) => scope !== ''));
  const allowed = ceiling.filter((scope) => held.has(scope));
  if (requested.some((scope) => !allowed.includes(scope))) {
    throw new BindingError(FailureType.ExchangeInvalidScope, 'the requested scope exceeds what the subject token and the policy allow');
  }
  const granted = requested.length === 0 ? allowed : allowed.filter((scope) => requested.includes(scope));
  if (granted.length === 0) throw new BindingError(FailureType.ExchangeInvalidScope, 'no scope is left to grant');
  return Object.freeze(granted);
}
