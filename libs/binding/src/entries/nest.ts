// `@hybrid-estate/binding/nest`: the Nest skin. BindingModule, the one guard, @Bound and
// @Principal. Needs @nestjs/common and @nestjs/core (11 or 12) and nothing of NATS: the guard
// loads the RPC refusal mapping (`@hybrid-estate/binding/nest/rpc`, @nestjs/microservices) at
// start-up only when the module is given a hop verifier. Listed by hand.
export { BindingModule, type BindingModuleAsyncOptions } from '../nest/binding.module.js';
export { BINDING_OPTIONS, type BindingModuleOptions } from '../nest/binding-options.js';
export { BindingGuard } from '../nest/binding.guard.js';
export { Bound } from '../nest/bound.decorator.js';
export { BINDING_POLICY, type BindingPolicy } from '../nest/binding-policy.js';
export { Principal, principalOf, type BoundPrincipal, type PrincipalConfirmation } from '../nest/principal.js';
