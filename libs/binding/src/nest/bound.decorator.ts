import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';
import { resolveUnboundTokenPolicy } from '../dpop/check-scheme-binding.js';
import { BindingConfigError } from '../errors/binding-error.js';
import { spiffeIdOption } from '../mtls/spiffe-id.js';
import { isScopeToken } from '../token/scope-token.js';
import { BindingGuard } from './binding.guard.js';
import { BINDING_POLICY, type BindingPolicy } from './binding-policy.js';

/**
 * Declares what a route or message handler requires and puts the BindingGuard in front of it:
 * `@Bound({ confirmation: 'dpop', scopes: ['orders:read'] })` on an HTTP route,
 * `@Bound({ confirmation: 'mtls', callers: ['spiffe://estate.local/edge'] })` on a NATS handler,
 * `@Bound({ confirmation: 'dpop', unboundTokens: 'accept-as-bearer' })` on a route that also
 * serves unbound tokens as Bearer (public clients whose tokens the authorization server leaves unbound).
 * The policy is checked when the class is declared, so a typo fails at start-up.
 */
export function Bound(policy: BindingPolicy): MethodDecorator & ClassDecorator {
  return applyDecorators(SetMetadata(BINDING_POLICY, validatePolicy(policy)), UseGuards(BindingGuard));
}

function validatePolicy(policy: BindingPolicy): BindingPolicy {
  if (policy.confirmation !== 'dpop' && policy.confirmation !== 'mtls') {
    throw new BindingConfigError(`@Bound: confirmation must be 'dpop' or 'mtls'`);
  }
  for (const scope of policy.scopes ?? []) {
    if (!isScopeToken(scope)) throw new BindingConfigError(`@Bound: "${scope}" is not a scope-token (RFC 6749 §3.3)`);
  }
  for (const caller of policy.callers ?? []) {
    spiffeIdOption(caller, `@Bound: caller "${String(caller)}" is not a SPIFFE ID`);
  }
  if (policy.confirmation === 'dpop' && policy.callers !== undefined) {
    throw new BindingConfigError('@Bound: callers apply to internal (mtls) handlers only');
  }
  if (policy.unboundTokens !== undefined) {
    // H10: inside, every hop token is certificate-bound; there is no Bearer to accept.
    if (policy.confirmation !== 'dpop') throw new BindingConfigError('@Bound: unboundTokens applies to DPoP (HTTP) routes only');
    resolveUnboundTokenPolicy(policy.unboundTokens, '@Bound');
  }
  return Object.freeze({
    ...policy,
    scopes: policy.scopes === undefined ? undefined : Object.freeze([...policy.scopes]),
    callers: policy.callers === undefined ? undefined : Object.freeze([...policy.callers]),
  });
}
