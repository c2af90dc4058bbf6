import { BindingError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';

/**
 * E18, H9: the token is meant for this resource server or service.
 *
 * RFC 9068 §4: "The resource server MUST validate that the aud claim contains a resource indicator
 * value corresponding to an identifier the resource server expects for itself. The JWT access
 * token MUST be rejected if aud does not contain a resource indicator of the current resource
 * server as a valid audience." RFC 7519 §4.1.3: `aud` is one string or an array of strings,
 * compared as case-sensitive strings, so no normalisation is applied (`https://a/` is not
 * `https://a`). A token without `aud` fails: an issuer serving several audiences must state one
 * (RFC 8725 §3.9).
 *
 * Does not check the signature, issuer or lifetime (the verifier does), nor which caller may use
 * the audience (the policy does).
 */
export function checkAudience(claims: { readonly aud?: unknown }, audience: string): void {
  const aud = claims.aud;
  if (aud === undefined) {
    throw new BindingError(FailureType.TokenAudience, 'token has no aud claim');
  }
  const members = typeof aud === 'string' ? [aud] : aud;
  if (!Array.isArray(members) || members.some((member) => typeof member !== 'string')) {
    throw new BindingError(FailureType.TokenMalformed, 'token aud claim is not a string or an array of strings');
  }
  if (!members.includes(audience)) {
    throw new BindingError(FailureType.TokenAudience, 'token audience does not include this resource');
  }
}
