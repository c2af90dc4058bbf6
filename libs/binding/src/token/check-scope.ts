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
  for (const scope of required) {
    if (!isScopeToken(scope)) {
      throw new BindingConfigError('checkScope: a required scope is not an RFC 6749 scope-token');
    }
  }
  if (required.length === 0) return;
  const scope = claims.scope;
  if (scope !== undefined && typeof scope !== 'string') {
    throw new BindingError(FailureType.TokenMalformed, 'token scope claim is not a string');
  }
  const granted = new Set((scope ?? '').split(' '));
  if (!required.every((needed) => granted.has(needed))) {
    throw new BindingError(FailureType.InsufficientScope, 'token does not grant the scope this resource requires', {
      scope: required.join(' '),
    });
  }
}
