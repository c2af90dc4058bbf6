import { describe, expect, it } from '@jest/globals';
import { BindingConfigError } from '../errors/binding-error.js';
import type { BindingPolicy } from './binding-policy.js';
import { Bound } from './bound.decorator.js';

describe('@Bound: the route policy is validated when the class is declared', () => {
  it('E5: unboundTokens may be refuse or accept-as-bearer on a DPoP route', () => {
    expect(() => Bound({ confirmation: 'dpop', unboundTokens: 'accept-as-bearer' })).not.toThrow();
    expect(() => Bound({ confirmation: 'dpop', unboundTokens: 'refuse' })).not.toThrow();
    expect(() => Bound({ confirmation: 'dpop' })).not.toThrow();
  });

  it('E5: a misspelt unboundTokens value stops start-up', () => {
    expect(() => Bound({ confirmation: 'dpop', unboundTokens: 'accept' } as unknown as BindingPolicy)).toThrow(BindingConfigError);
  });

  it('H10: unboundTokens on an internal (mtls) handler stops start-up: every hop token is certificate-bound', () => {
    expect(() => Bound({ confirmation: 'mtls', unboundTokens: 'accept-as-bearer' })).toThrow(BindingConfigError);
    expect(() => Bound({ confirmation: 'mtls', unboundTokens: 'refuse' })).toThrow(BindingConfigError);
  });
});
