// `@hybrid-estate/binding/nest`: the Nest skin. BindingModule, @Bound (which puts the one guard in
// front of a handler) and @Principal. Needs @nestjs/common and @nestjs/core (11 or 12) and nothing
// of NATS: the guard loads the RPC refusal mapping (`@hybrid-estate/binding/nest/rpc`,
// @nestjs/microservices) at start-up only when the module is given a hop verifier. Listed by hand.
export { BindingModule } from '../nest/binding.module.js';
export type { BindingModuleOptions } from '../nest/binding-options.js';
export { Bound } from '../nest/bound.decorator.js';
export { Principal, type BoundPrincipal } from '../nest/principal.js';
