/** RFC 9728 §3: where a client finds this document, relative to the resource's origin. */
export const PROTECTED_RESOURCE_METADATA_PATH = '/.well-known/oauth-protected-resource';

export interface ProtectedResourceInput {
  /** The resource identifier: the `aud` tokens for it carry (RFC 9728 §2 `resource`). */
  readonly resource: string;
  readonly authorizationServers: readonly string[];
  readonly dpopAlgorithms: readonly string[];
  readonly scopes?: readonly string[];
}

/**
 * E26: RFC 9728 protected-resource metadata announcing that this resource requires DPoP-bound
 * tokens (`dpop_bound_access_tokens_required`, RFC 9728 §2) and which proof algorithms it
 * accepts (`dpop_signing_alg_values_supported`), the same list the `algs` challenge names.
 * Bearer use in headers only (`bearer_methods_supported`: never query or body, E1).
 * Does not sign the metadata (`signed_metadata` is optional).
 */
export function protectedResourceMetadata(input: ProtectedResourceInput): Readonly<Record<string, unknown>> {
  return Object.freeze({
    resource: input.resource,
    authorization_servers: [...input.authorizationServers],
    bearer_methods_supported: ['header'],
    dpop_signing_alg_values_supported: [...input.dpopAlgorithms],
    dpop_bound_access_tokens_required: true,
    ...(input.scopes === undefined ? {} : { scopes_supported: [...input.scopes] }),
  });
}
