import { BindingError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';

/**
 * E12: RFC 9449 §4.3 (8) "the `htm` claim matches the HTTP method of the current request".
 * Compared exactly: RFC 9110 §9.1 "The method token is case-sensitive", so `get` is not `GET`
 * (the early drafts' "case-insensitive" did not survive into the RFC).
 * Does not check that the method is one the route serves: the router does.
 */
export function checkHtm(htm: string, method: string): void {
  if (htm !== method) throw new BindingError(FailureType.HtmMismatch, 'DPoP proof htm does not match the request method');
}
