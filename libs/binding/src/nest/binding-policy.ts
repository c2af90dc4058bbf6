import type { UnboundTokenPolicy } from '../dpop/check-scheme-binding.js';
import type { ConfirmationMethod } from '../token/access-token.js';

/**
 * What a route or message handler requires of the token that reaches it. Declared once, next to
 * the handler, with `@Bound(...)`; the guard enforces all of it or refuses the call.
 */
export interface BindingPolicy {
  /** `dpop` at the HTTP edge, `mtls` (certificate-bound, via the hop proof) inside. */
  readonly confirmation: ConfirmationMethod;
  /** The audience the token must include; defaults to the module's configured audience. */
  readonly audience?: string;
  /** Every scope listed must be granted by the token (RFC 6750 §3.1 insufficient_scope). */
  readonly scopes?: readonly string[];
  /** SPIFFE IDs allowed to call this handler (H11); absent means any authenticated workload. */
  readonly callers?: readonly string[];
  /**
   * DPoP routes only: an unbound access token sent as `Authorization: Bearer` is refused
   * (`'refuse'`, the default: E5, `invalid_token` with the DPoP challenge) or served
   * (`'accept-as-bearer'`, for public clients whose authorization server binds only the refresh
   * token). A DPoP- or certificate-bound token is never accepted as Bearer either way (E5, E21).
   */
  readonly unboundTokens?: UnboundTokenPolicy;
}

export const BINDING_POLICY = Symbol('hybrid-estate:binding-policy');
