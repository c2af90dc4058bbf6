import { BindingError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import { normalizePath } from './normalize-htu.js';

/** RFC 3986 §3.4 query, leniently: printable ASCII except `#` (no fragment is sent) and `\`. */
const QUERY_CHARACTERS = /^[\x21\x22\x24-\x5b\x5d-\x7e]*$/;
/** `/https://x`: a path whose first segment is a scheme followed by `//`, an absolute URI in disguise. */
const SCHEME_IN_PATH = /^\/[A-Za-z][A-Za-z0-9+.-]*:\/\//;

/**
 * E14: the path of a request target, in normal form (normalizePath), or `InvalidRequestTarget`
 * (400 invalid_request). Only RFC 9112 §3.2.1 origin-form (`absolute-path [ "?" query ]`) is
 * accepted. Policy, against RFC 9112 §3.2.2 ("A server MUST accept the absolute-form in requests
 * even though most HTTP/1.1 clients will only send the absolute-form to a proxy"): the effective
 * URI is rebuilt from configuration, and an absolute-form target would be a second source of
 * scheme and host, one the client writes; no client of this edge talks to it as to a proxy.
 * Asterisk- and authority-form serve OPTIONS and CONNECT, never a protected resource. Refused as well, because URL parsers and proxies read them as another authority:
 * `//host/x` (a network-path reference, RFC 3986 §4.2), `/https://x`, a path that normalizes to
 * `//...`, and any backslash, control character, space or non-ASCII character.
 * The query is dropped (RFC 9449 §4.3 (9)) after a syntax check. Does not decide whether the path
 * exists or which handler serves it: the router does.
 */
export function pathOfRequestTarget(target: string): string {
  if (target[0] !== '/') throw invalidTarget('request target is not in origin-form');
  if (target[1] === '/') throw invalidTarget('request target starts with //');
  const queryStart = target.indexOf('?');
  const path = queryStart < 0 ? target : target.slice(0, queryStart);
  if (queryStart >= 0 && !QUERY_CHARACTERS.test(target.slice(queryStart + 1))) {
    throw invalidTarget('request target query holds characters outside the URI syntax');
  }
  if (SCHEME_IN_PATH.test(path)) throw invalidTarget('request target path starts with a URI scheme');
  const normalized = normalizePath(path);
  if (normalized === undefined) throw invalidTarget('request target path holds characters outside the URI syntax');
  if (normalized.startsWith('//')) throw invalidTarget('request target path normalizes to //');
  return normalized;
}

function invalidTarget(description: string): BindingError {
  return new BindingError(FailureType.InvalidRequestTarget, description);
}
