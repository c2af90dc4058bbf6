/**
 * The part of a browser's cookie store that a scripted login needs: the authorization server's
 * interaction and session cookies, kept between redirects. RFC 6265 subset: host-only cookies
 * (`Domain` is ignored, so a cookie never widens to other hosts), path matching (§5.1.4),
 * expiry by Max-Age/Expires, Secure only over https. Nothing is written to disk.
 */
interface Cookie {
  readonly name: string;
  readonly value: string;
  readonly host: string;
  readonly path: string;
  readonly secure: boolean;
  readonly expiresAt: number; // epoch ms
}

// RFC 6265 §5.1.4: the default path is the request path up to, not including, its last "/".
function defaultPath(url: URL): string {
  const last = url.pathname.lastIndexOf('/');
  return last <= 0 ? '/' : url.pathname.slice(0, last);
}

function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}

function parseSetCookie(header: string, url: URL, now: number): Cookie | undefined {
  const [pair = '', ...attributes] = header.split(';');
  const eq = pair.indexOf('=');
  if (eq < 1) return undefined;
  let path = defaultPath(url);
  let secure = false;
  let expiresAt = Number.POSITIVE_INFINITY;
  for (const attribute of attributes) {
    const [rawName = '', ...rest] = attribute.split('=');
    const name = rawName.trim().toLowerCase();
    const value = rest.join('=').trim();
    if (name === 'path' && value.startsWith('/')) path = value;
    else if (name === 'secure') secure = true;
    else if (name === 'max-age' && /^-?\d+$/.test(value)) expiresAt = now + Number(value) * 1000;
    else if (name === 'expires' && expiresAt === Number.POSITIVE_INFINITY && !Number.isNaN(Date.parse(value))) expiresAt = Date.parse(value);
  }
  return { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim(), host: url.hostname, path, secure, expiresAt };
}

export class CookieJar {
  #cookies: Cookie[] = [];

  constructor(private readonly now: () => number = () => Date.now()) {}

  /** Takes the Set-Cookie headers of a response to `url`. */
  store(url: URL, setCookieHeaders: readonly string[]): void {
    const now = this.now();
    for (const header of setCookieHeaders) {
      const cookie = parseSetCookie(header, url, now);
      if (cookie === undefined) continue;
      this.#cookies = this.#cookies.filter((c) => !(c.name === cookie.name && c.host === cookie.host && c.path === cookie.path));
      if (cookie.expiresAt > now) this.#cookies.push(cookie);
    }
  }

  /** The Cookie header for a request to `url`, or undefined when no cookie applies. */
  header(url: URL): string | undefined {
    const now = this.now();
    const matching = this.#cookies
      .filter((c) => c.expiresAt > now && c.host === url.hostname && pathMatches(url.pathname, c.path))
      .filter((c) => !c.secure || url.protocol === 'https:')
      // RFC 6265 §5.4: longer paths first
      .sort((a, b) => b.path.length - a.path.length);
    return matching.length === 0 ? undefined : matching.map((c) => `${c.name}=${c.value}`).join('; ');
  }
}
