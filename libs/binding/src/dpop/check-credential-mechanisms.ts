import { BindingError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';

/** RFC 6750 §2.3 `access_token` as a query parameter name, at the start or after `&`. */
const QUERY_ACCESS_TOKEN = /(?:^|&)access_token(?:=|&|$)/;

/**
 * E1, E2: the token is read only from `Authorization`; one sent in the query string (RFC 6750
 * §2.3) or a form body (§2.2) is never used, and its presence is refused as `invalid_request`:
 * RFC 6750 §2 "Clients MUST NOT use more than one method to transmit the token in each request",
 * and §3.1 answers a request that "uses more than one method for including an access token" with
 * `invalid_request`. A token in a URL also leaks into logs and Referer headers; refusing it tells
 * the client at once rather than letting it believe the query works.
 * Does not parse the body: the caller says whether the parsed body carries `access_token`.
 */
export function checkSingleCredentialMechanism(target: string, bodyHasAccessToken: boolean): void {
  const queryStart = target.indexOf('?');
  if (queryStart >= 0 && QUERY_ACCESS_TOKEN.test(target.slice(queryStart + 1))) {
    throw new BindingError(FailureType.MultipleCredentialMechanisms, 'access tokens are accepted only in the Authorization header');
  }
  if (bodyHasAccessToken) {
    throw new BindingError(FailureType.MultipleCredentialMechanisms, 'access tokens are accepted only in the Authorization header');
  }
}
