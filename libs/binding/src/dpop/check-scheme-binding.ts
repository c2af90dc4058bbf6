import { BindingConfigError, BindingError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import type { AccessTokenClaims } from '../token/access-token.js';
import { checkConfirmationMethod, checkJktConfirmation, checkNoConfirmation } from '../token/check-confirmation.js';
import type { AuthorizationScheme } from './parse-authorization.js';

/**
 * What a DPoP route does with an unbound access token sent with the Bearer scheme (issue 14).
 * Some authorization servers bind only the refresh token of a public client and issue unbound
 * access tokens. RFC 9449 §5: "An authorization server MAY elect to issue access tokens which are
 * not DPoP bound, which is signaled to the client with a value of Bearer in the token_type
 * parameter"; for a public client "this has the effect of DPoP-binding the refresh token alone".
 * - `refuse` (the default): the route requires DPoP; an unbound token is `invalid_token` with
 *   the DPoP challenge, whatever the scheme (E5).
 * - `accept-as-bearer`: RFC 9449 §7.2 "Protected resources simultaneously supporting both the
 *   DPoP and Bearer schemes": the route also serves an unbound token sent as
 *   `Authorization: Bearer`, without a proof, as RFC 6750 does. A bound token is still never
 *   accepted as Bearer (E5 downgrade), a certificate-bound one never at the edge (E21), and the
 *   DPoP scheme still requires a DPoP-bound token (E5): a client holding an unbound token says
 *   Bearer, as the token_type of its token response told it.
 */
export type UnboundTokenPolicy = 'refuse' | 'accept-as-bearer';
export const UNBOUND_TOKEN_POLICIES: readonly UnboundTokenPolicy[] = Object.freeze(['refuse', 'accept-as-bearer']);
export const DEFAULT_UNBOUND_TOKENS: UnboundTokenPolicy = 'refuse';

/** Validates a policy value once, where it is declared (@Bound): a typo throws at start-up. */
export function resolveUnboundTokenPolicy(value: unknown, where: string): UnboundTokenPolicy {
  if (!(UNBOUND_TOKEN_POLICIES as readonly unknown[]).includes(value)) {
    throw new BindingConfigError(`${where}: unboundTokens must be one of ${UNBOUND_TOKEN_POLICIES.map((policy) => `'${policy}'`).join(', ')}`);
  }
  return value as UnboundTokenPolicy;
}

/**
 * E5, E20, E21: the scheme a token came with agrees with how the token is bound.
 * - DPoP scheme: the token must be DPoP-bound (an unbound token is `UnboundToken`, a certificate-
 *   bound one `ConfirmationMethod`: checkConfirmationMethod) and `cnf.jkt` must equal the proof
 *   key's thumbprint (checkJktConfirmation; RFC 9449 §7.1 "check that the public key of the DPoP
 *   proof matches the public key to which the access token is bound"). The unbound-token policy
 *   does not apply: RFC 9449 §7.1 defines the DPoP scheme for DPoP-bound tokens only.
 * - Bearer scheme: RFC 9449 §7.2 "such a protected resource MUST reject a DPoP-bound access token
 *   received as a bearer token": `SchemeDowngrade`; a token bound any other way is refused too
 *   (checkNoConfirmation). An unbound token passes only where the route's policy is
 *   `accept-as-bearer`; otherwise it is `UnboundToken`, this resource requiring DPoP.
 * Does not verify the token or the proof: the token verifier and the proof checks ran before.
 */
export function checkSchemeBinding(
  scheme: AuthorizationScheme,
  claims: AccessTokenClaims,
  proofJkt: string | undefined,
  unboundTokens: UnboundTokenPolicy,
): void {
  if (scheme === 'dpop') {
    checkConfirmationMethod(claims, 'dpop');
    checkJktConfirmation(claims, proofJkt ?? '');
    return;
  }
  checkNoConfirmation(claims);
  if (unboundTokens !== 'accept-as-bearer') {
    throw new BindingError(FailureType.UnboundToken, 'token is not bound; this resource requires dpop');
  }
}
