import { BindingError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import { normalizeHttpUri } from './normalize-htu.js';

/**
 * E13: RFC 9449 §4.3 (9) "the `htu` claim matches the HTTP URI value for the HTTP request in which
 * the JWT was received, ignoring any query and fragment parts", after RFC 3986 §6.2.2 and §6.2.3
 * normalization of the claim (normalizeHttpUri). So `HTTPS://API.example:443/a?x#y` matches
 * `https://api.example/a`, while `/A` is not `/a` and `/a//b` is not `/a/b`.
 * E10: an `htu` that is not an absolute http(s) URI is `ProofClaims`, not a mismatch.
 * `effectiveUri` must already be in normal form, as createEffectiveUriResolver returns it.
 * Does not build the effective URI from the request: createEffectiveUriResolver does (E14).
 */
export function checkHtu(htu: string, effectiveUri: string): void {
  // The common case, without parsing: `effectiveUri` is in normal form and normalizing a normal
  // form leaves it unchanged (pinned by check-htu.spec.ts), so an htu equal to it character for
  // character would normalize to it and match. Any other htu takes the full path below.
  if (htu === effectiveUri) return;
  const normalized = normalizeHttpUri(htu);
  if (normalized === undefined) {
    throw new BindingError(FailureType.ProofClaims, 'DPoP proof htu is not an absolute http or https URI');
  }
  if (normalized !== effectiveUri) {
    throw new BindingError(FailureType.HtuMismatch, 'DPoP proof htu does not match the request URI');
  }
}
