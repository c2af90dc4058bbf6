/**
 * RFC 3986 §6.2.2 syntax-based and §6.2.3 scheme-based normalization of http(s) URIs, for `htu`
 * (E13) and the effective request URI (E14). RFC 9449 §4.3: "servers SHOULD employ Syntax-Based
 * Normalization ... and Scheme-Based Normalization ... before comparing the htu claim".
 *
 * Written against RFC 3986 rather than with WHATWG `new URL()`, which is made for browsers'
 * error recovery and diverges where it matters for a comparison that grants access:
 * - it turns `\` into `/` in http(s) URLs (`https://a.example\evil/x` becomes a path on
 *   a.example) and silently deletes tabs and newlines anywhere (`a.exa<TAB>mple` is a.example);
 *   RFC 3986 allows neither character, so both are refused here;
 * - it percent-encodes what is not a URI character (space, non-ASCII) instead of refusing it,
 *   and leaves `%7e` and `%7E` different although §6.2.2.2 makes both `~`;
 * - it reads hosts such as `0x7f.1` as IPv4 and maps IDNs, neither of which RFC 3986 does.
 * Like it, this lowercases scheme and host, drops the default port and removes dot-segments;
 * unlike it, the result is only ever compared, never fetched.
 */

const SCHEME_AND_AUTHORITY = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)/;
/** The start of the query or the fragment, whichever comes first (RFC 3986 §3). */
const QUERY_OR_FRAGMENT = /[?#]/;
/**
 * RFC 3986 §2: unreserved, reserved and `%`, for the scheme, authority and path. No space, control,
 * `\`, `"`, `<`, `>`, `{`, `}`, `|`, `^`, non-ASCII.
 */
const URI_CHARACTERS = /^[A-Za-z0-9\-._~:/[\]@!$&'()*+,;=%]*$/;
/**
 * The dropped query or fragment, leniently: visible ASCII. A browser's `URL.href` leaves `|`, `{`,
 * `}`, `^`, `` ` `` and `\` unescaped there (WHATWG query and fragment percent-encode sets) but
 * always encodes space, controls and non-ASCII, which no URI holds.
 */
const DROPPED_CHARACTERS = /^[\x21-\x7e]*$/;
/** RFC 3986 §3.3 path-abempty: `/` and pchar. */
const PATH_CHARACTERS = /^[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*$/;
/** RFC 3986 §3.2.2 IP-literal (IPv6, no zone) or IPv4address / reg-name. */
const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~!$&'()*+,;=%]+)$/;
const PORT = /^[0-9]{0,5}$/;
const PERCENT_TRIPLET = /%([0-9A-Fa-f]{2})/g;
const STRAY_PERCENT = /%(?![0-9A-Fa-f]{2})/;
const UNRESERVED = /^[A-Za-z0-9\-._~]$/;
const DEFAULT_PORTS: Readonly<Record<HttpScheme, number>> = { http: 80, https: 443 };

export type HttpScheme = 'http' | 'https';

/**
 * An absolute http or https URI in normal form, `scheme://host[:port]/path`, its query and
 * fragment dropped (RFC 9449 §4.3 (9) "ignoring any query and fragment parts"); `undefined` when
 * it is not one: no `//authority`, another scheme, userinfo (RFC 9110 §4.2.4 "treat its presence
 * as an error"), an empty host (§4.2.1 "MUST reject it as invalid"), a character that is not a
 * URI character in the scheme, authority or path, or a malformed percent-encoding there.
 * Does not resolve a relative reference (a request's htu is absolute) nor look up the host; does
 * not check the query or fragment beyond withoutQueryAndFragment: they are never compared.
 */
export function normalizeHttpUri(uri: string): string | undefined {
  const resource = withoutQueryAndFragment(uri);
  if (resource === undefined || !URI_CHARACTERS.test(resource)) return undefined;
  const match = SCHEME_AND_AUTHORITY.exec(resource);
  if (match === null) return undefined;
  const scheme = (match[1] as string).toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') return undefined;
  const authority = normalizeAuthority(match[2] as string, scheme);
  const path = normalizePath(match[3] as string);
  if (authority === undefined || path === undefined) return undefined;
  return `${scheme}://${authority}${path}`;
}

/**
 * RFC 9449 §4.3 (9): htu matches "ignoring any query and fragment parts", so they are cut off at
 * the first `?` or `#` before the rest is checked character by character (E13: `?a=b|c` passes).
 * `undefined` when what is cut off holds a space, a control or a non-ASCII character.
 */
function withoutQueryAndFragment(uri: string): string | undefined {
  const start = uri.search(QUERY_OR_FRAGMENT);
  if (start < 0) return uri;
  return DROPPED_CHARACTERS.test(uri.slice(start + 1)) ? uri.slice(0, start) : undefined;
}

/**
 * `host[:port]` in normal form for `scheme`: host lowercased (§6.2.2.1), percent-encoding
 * normalized, an empty or default port dropped (§6.2.3), leading zeros of a port dropped.
 * `undefined` for userinfo, an empty or malformed host, or a port above 65535.
 */
export function normalizeAuthority(authority: string, scheme: HttpScheme): string | undefined {
  if (authority.includes('@')) return undefined;
  const split = splitHostAndPort(authority);
  if (split === undefined || !HOST.test(split.host) || STRAY_PERCENT.test(split.host)) return undefined;
  const host = lowercaseOutsideTriplets(normalizePercentEncoding(split.host));
  if (split.port === undefined || split.port === '') return host;
  if (!PORT.test(split.port)) return undefined;
  const port = Number(split.port);
  if (port > 65535) return undefined;
  return port === DEFAULT_PORTS[scheme] ? host : `${host}:${port}`;
}

/**
 * A path-abempty in normal form: percent-encoding normalized (§6.2.2.2: hex digits uppercased,
 * unreserved characters decoded), dot-segments removed (§6.2.2.3, §5.2.4), an empty path made
 * `/` (§6.2.3). The path stays case-sensitive and `//` is kept: `/a//b` is not `/a/b`.
 * `undefined` when it is neither empty nor starts with `/`, or holds a non-path character.
 */
export function normalizePath(path: string): string | undefined {
  if (path === '') return '/';
  if (path[0] !== '/' || !PATH_CHARACTERS.test(path) || STRAY_PERCENT.test(path)) return undefined;
  const decoded = path.includes('%') ? normalizePercentEncoding(path) : path;
  return decoded.includes('/.') ? removeDotSegments(decoded) : decoded;
}

function splitHostAndPort(authority: string): { host: string; port: string | undefined } | undefined {
  if (authority.startsWith('[')) {
    const end = authority.indexOf(']');
    if (end < 0) return undefined;
    const rest = authority.slice(end + 1);
    if (rest !== '' && rest[0] !== ':') return undefined;
    return { host: authority.slice(0, end + 1), port: rest === '' ? undefined : rest.slice(1) };
  }
  const colon = authority.indexOf(':');
  if (colon < 0) return { host: authority, port: undefined };
  return { host: authority.slice(0, colon), port: authority.slice(colon + 1) };
}

function normalizePercentEncoding(text: string): string {
  return text.replace(PERCENT_TRIPLET, (_triplet: string, hex: string) => {
    const character = String.fromCharCode(Number.parseInt(hex, 16));
    return UNRESERVED.test(character) ? character : `%${hex.toUpperCase()}`;
  });
}

/** Lowercases a host (§6.2.2.1) without touching the uppercase hex digits of `%XX` triplets. */
function lowercaseOutsideTriplets(host: string): string {
  return host.replace(/%[0-9A-F]{2}|[A-Z]+/g, (part) => (part[0] === '%' ? part : part.toLowerCase()));
}

/**
 * RFC 3986 §5.2.4 for a path that starts with `/`: `.` segments vanish, `..` removes the segment
 * before it (never above the root), and a path ending in `.` or `..` keeps its trailing `/`.
 */
function removeDotSegments(path: string): string {
  const segments = path.split('/');
  const output: string[] = [];
  for (let index = 1; index < segments.length; index += 1) {
    const segment = segments[index] as string;
    const isLast = index === segments.length - 1;
    if (segment === '.' || segment === '..') {
      if (segment === '..') output.pop();
      if (isLast) output.push('');
    } else {
      output.push(segment);
    }
  }
  return `/${output.join('/')}`;
}
