import { BindingError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';

/** Forwarding headers as Node's `req.headersDistinct` holds them; read only from trusted proxies. */
export interface ForwardedHeaders {
  /** RFC 7239 `Forwarded`. */
  readonly forwarded?: readonly string[] | undefined;
  readonly xForwardedProto?: readonly string[] | undefined;
  readonly xForwardedHost?: readonly string[] | undefined;
}

/** The scheme and host a trusted proxy says the client used; either may be absent. */
export interface ForwardedOrigin {
  readonly proto: string | undefined;
  readonly host: string | undefined;
}

/** RFC 7239 §4 `value = token / quoted-string`; a quoted value with escapes is not a host or scheme. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const QUOTED = /^"([^"\\]*)"$/;

/**
 * E14: what the nearest proxy forwarded. `Forwarded` (RFC 7239) wins over `X-Forwarded-Proto` /
 * `X-Forwarded-Host` when both are sent. Of a list, the last element counts: it is the one the
 * nearest proxy, the only one trusted, added; earlier elements may come from the client. A
 * malformed `Forwarded` element, or one naming `proto` or `host` twice (RFC 7239 §4 "MUST NOT
 * occur more than once per forwarded-element"), is `InvalidRequestTarget`.
 * Call only for a request from a trusted proxy. Does not validate the values or compare them with
 * the configured origins: createEffectiveUriResolver does.
 */
export function forwardedOrigin(headers: ForwardedHeaders): ForwardedOrigin {
  const forwarded = lastListElement(headers.forwarded);
  if (forwarded !== undefined) return parseForwardedElement(forwarded);
  return { proto: lastListElement(headers.xForwardedProto), host: lastListElement(headers.xForwardedHost) };
}

/** RFC 9110 §5.3: several field lines are one comma-separated list; the last non-empty member. */
function lastListElement(values: readonly string[] | undefined): string | undefined {
  if (values === undefined || values.length === 0) return undefined;
  const members = values.join(',').split(',');
  for (let index = members.length - 1; index >= 0; index -= 1) {
    const member = (members[index] as string).trim();
    if (member !== '') return member;
  }
  return undefined;
}

function parseForwardedElement(element: string): ForwardedOrigin {
  const found: { proto?: string; host?: string } = {};
  for (const pair of element.split(';')) {
    const trimmed = pair.trim();
    if (trimmed === '') continue;
    const equals = trimmed.indexOf('=');
    const name = trimmed.slice(0, equals).toLowerCase();
    if (equals <= 0 || !TOKEN.test(name)) throw malformed();
    if (name !== 'proto' && name !== 'host') continue;
    if (found[name] !== undefined) throw malformed();
    found[name] = forwardedValue(trimmed.slice(equals + 1));
  }
  return { proto: found.proto, host: found.host };
}

function forwardedValue(raw: string): string {
  if (TOKEN.test(raw)) return raw;
  const quoted = QUOTED.exec(raw);
  if (quoted === null) throw malformed();
  return quoted[1] as string;
}

function malformed(): BindingError {
  return new BindingError(FailureType.InvalidRequestTarget, 'Forwarded header is malformed');
}
