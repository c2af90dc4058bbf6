import { BindingError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import type { AccessTokenClaims } from '../token/access-token.js';
import { checkConfirmationMethod, checkJktConfirmation, confirmationMethodOf } from '../token/check-confirmation.js';
import type { AuthorizationScheme } from './parse-authorization.js';

/**
 * E5, E20, E21: the scheme a token came with agrees with how the token is bound.
 * - DPoP scheme: the token must be DPoP-bound (an unbound token is `UnboundToken`, a certificate-
 *   bound one `ConfirmationMethod`: checkConfirmationMethod) and `cnf.jkt` must equal the proof
 *   key's thumbprint (checkJktConfirmation; RFC 9449 §7.1 "check that the public key of the DPoP
 *   proof matches the public key to which the access token is bound").
 * - Bearer scheme: RFC 9449 §7.2 "such a protected resource MUST reject a DPoP-bound access token
 *   received as a bearer token": `SchemeDowngrade`. A certificate-bound token is refused the same
 *   way (`ConfirmationMethod`): without its certificate it is a downgrade too. An unbound token
 *   passes only where `allowBearer` says so; otherwise it is `UnboundToken`, this resource
 *   requiring DPoP.
 * Does not verify the token or the proof: the token verifier and the proof checks ran before.
 */
export function checkSchemeBinding(
  scheme: AuthorizationScheme,
  claims: AccessTokenClaims,
  proofJkt: string | undefined,
  allowBearer: boolean,
): void {
  if (scheme === 'dpop') {
    checkConfirmationMethod(claims, 'dpop');
    checkJktConfirmation(claims, proofJkt ?? '');
    return;
  }
  const cnf: unknown = claims.cnf;
  if (cnf !== undefined && (typeof cnf !== 'object' || cnf === null || Array.isArray(cnf))) {
    throw new BindingError(FailureType.TokenMalformed, 'cnf claim is not an object');
  }
  const method = confirmationMethodOf(claims);
  if (method === 'dpop') {
    throw new BindingError(FailureType.SchemeDowngrade, 'DPoP-bound token presented with the Bearer scheme');
  }
  if (method === 'mtls') {
    throw new BindingError(FailureType.ConfirmationMethod, 'certificate-bound token presented with the Bearer scheme');
  }
  if (!allowBearer) {
    throw new BindingError(FailureType.UnboundToken, 'token is not bound; this resource requires dpop');
  }
}
