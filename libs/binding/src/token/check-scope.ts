import { BindingConfigError, BindingError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import { isScopeToken } from './scope-token.js';

/**
 * The policy's authorisation step: the token grants every scope the handler requires.
 *
 * RFC 9068 §2.2.3 carries scope in the `scope` claim of RFC 8693 §4.2: "a JSON string containing a
 * space-separated list of scopes ... in the format described in Section 3.3 of [RFC6749]", i.e.
 * "space-delimited, case-sensitive strings". A missing scope is compared exactly; `orders:read`
 * does not imply `orders`. Failure is RFC 6750 §3.1 `insufficient_scope` ("The request requires
 * higher privileges than provided by the access token"), answered with 403 and, as §3 allows, the
 * `scope` attribute: the whole required set, which is what the client must ask for.
 *
 * Throws BindingConfigError when `required` holds something that is not a scope-token: that is a
 * mistake in the policy, not in the request.
 *
 * Does not check the token itself (the verifier does), nor which caller may call (the policy does).
 */
export function checkScope(claims: { readonly scope?: unknown }, required: readonly string[]): void {
  checkRequiredScopes(required);
  if (required.length === 0) return;
  const granted = grantedScopesOf(claims);
  for (const needed of required) {
    if (!granted.includes(needed)) {
      throw new BindingError(FailureType.InsufficientScope, 'token does not grant the scope this resource requires', {
        scope: required.join(' '),
      });
    }
  }
}

/** Required lists already found to be scope-tokens: a frozen list (a @Bound policy's) is checked once. */
const checkedRequired = new WeakSet<readonly string[]>();

/**
 * A policy's required scopes are scope-tokens (RFC 6749 §3.3), else BindingConfigError. @Bound
 * checks its list when the class is declared; a frozen list is remembered, so that the request path
 * pays this once per policy, not once per request. A list that is not frozen (a caller's own) is
 * checked every time, since it could change.
 */
function checkRequiredScopes(required: readonly string[]): void {
  if (checkedRequired.has(required)) return;
  for (const scope of required) {
    if (!isScopeToken(scope)) throw new BindingConfigError('checkScope: a required scope is not an RFC 6749 scope-token');
  }
  if (Object.isFrozen(required)) checkedRequired.add(required);
}

/** The scopes of frozen claims, parsed once: the verifier caches one frozen claims object per token. */
const grantedByClaims = new WeakMap<object, readonly string[]>();

/**
 * The scopes a token grants: its `scope` claim (RFC 9068 §2.2.3, RFC 8693 §4.2) split on spaces
 * only, empty items dropped, in order; empty without a claim. Parsed once per verified token and
 * shared by the policy check (checkScope) and the principal the guard hands the handler.
 * Throws BindingError TokenMalformed for a `scope` that is not a string.
 * Does not check the scope-tokens' grammar: a required scope must match one exactly.
 */
export function grantedScopesOf(claims: { readonly scope?: unknown }): readonly string[] {
  const known = grantedByClaims.get(claims);
  if (known !== undefined) return known;
  const scope = claims.scope;
  if (scope !== undefined && typeof scope !== 'string') {
    throw new BindingError(FailureType.TokenMalformed, 'token scope claim is not a string');
  }
  const granted = Object.freeze(scope === undefined ? [] : scope.split(' ').filter((item) => item !== ''));
  if (Object.isFrozen(claims)) grantedByClaims.set(claims, granted);
  return granted;
}
