import type { BindingError } from './binding-error.js';

/**
 * RFC 6749 §5.2: error_description is limited to %x20-21 / %x23-5B / %x5D-7E, which also keeps
 * it a valid RFC 9110 quoted-string without escapes. Anything else is dropped.
 */
function toDescription(text: string): string {
  return text.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, '').slice(0, 200);
}

/**
 * E22: the `WWW-Authenticate` challenge for the DPoP scheme (RFC 9449 §7.1, RFC 6750 §3).
 * Without an error (no credentials were sent) the challenge carries only `algs`, as RFC 6750 §3.1
 * asks: "the resource server SHOULD NOT include an error code". `insufficient_scope` names the
 * scope the request needs. Does not decide the status code: the error's mapping does.
 */
export function dpopChallenge(algs: readonly string[], error?: BindingError): string {
  const params: string[] = [];
  if (error !== undefined) {
    params.push(`error="${error.code}"`, `error_description="${toDescription(error.message)}"`);
    if (error.scope !== undefined) params.push(`scope="${toDescription(error.scope)}"`);
  }
  params.push(`algs="${algs.join(' ')}"`);
  return `DPoP ${params.join(', ')}`;
}
