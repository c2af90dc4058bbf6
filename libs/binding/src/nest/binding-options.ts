import type { DpopVerifier } from '../dpop/verify-dpop-request.js';
import type { HopVerifier } from '../hop/verify-hop-proof.js';
import type { BindingObserver } from '../observe/binding-observer.js';

/**
 * What the guard needs, built by the app from its configuration (see apps/edge and the internal
 * services): a DPoP verifier for HTTP routes, a hop verifier for NATS handlers. A context whose
 * verifier is absent refuses every call: a route cannot be left open by a missing setting.
 */
export interface BindingModuleOptions {
  readonly dpop?: DpopVerifier;
  readonly hop?: HopVerifier;
  /** O1-O3: told of every decision the guard makes (spans, counters, audit lines); never of a token. */
  readonly observer?: BindingObserver;
}

export const BINDING_OPTIONS = Symbol('hybrid-estate:binding-options');
