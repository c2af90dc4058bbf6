import { BlockList, isIP } from 'node:net';
import { BindingConfigError, BindingError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import { forwardedOrigin, type ForwardedHeaders } from './forwarded-origin.js';
import { normalizeAuthority, normalizeHttpUri, normalizePath, type HttpScheme } from './normalize-htu.js';
import { pathOfRequestTarget } from './request-target.js';

export interface EffectiveUriOptions {
  /** The public origins clients use, e.g. `https://api.example.com` or `http://localhost:3000`. */
  readonly origins: readonly string[];
  /** A path prefix a reverse proxy strips before the request arrives, e.g. `/api`; none by default. */
  readonly pathPrefix?: string;
  /** Addresses or CIDR blocks (`10.0.0.0/8`, `fd00::/8`) whose forwarding headers are believed. */
  readonly trustedProxies?: readonly string[];
}

/** What the effective URI is built from, as Node's request holds it. */
export interface RequestUriInput extends ForwardedHeaders {
  /** The raw request target (`req.url`), origin-form. */
  readonly target: string;
  /** `req.headersDistinct.host`. */
  readonly host: readonly string[] | undefined;
  /** `req.socket.remoteAddress`: the peer, a proxy or the client. */
  readonly remoteAddress?: string | undefined;
}

/** Returns the request's effective URI in normal form, without query (RFC 9110 §7.1). */
export type EffectiveUriResolver = (request: RequestUriInput) => string;

interface PublicOrigin {
  readonly scheme: HttpScheme;
  /** Normalized `host[:port]`, default port dropped. */
  readonly authority: string;
  /** `scheme://authority`, the start of every effective URI on this origin. */
  readonly origin: string;
}

/**
 * E14: the effective request URI (RFC 9110 §7.1) that `htu` is compared with, built from
 * configuration, never taken from the request as is:
 * 1. the origin: the one configured origin whose authority equals the `Host` header (exactly one
 *    `Host`, RFC 9112 §3.2 "MUST respond with a 400 ... more than one Host header field line or a
 *    Host header field with an invalid field value"), compared after normalization, so `Host`
 *    `API.example.com:443` selects `https://api.example.com`. Only when the peer is a trusted
 *    proxy do its `Forwarded` / `X-Forwarded-Proto` / `X-Forwarded-Host` replace scheme and host,
 *    and even then the result must be one of the configured origins. Anything else is
 *    `InvalidRequestTarget` (400): an unknown host gets no URL built for it;
 * 2. the path prefix, then the target's path (pathOfRequestTarget), query dropped.
 * Configuration is validated here, once: origins are absolute http(s) URIs without path, query,
 * fragment or userinfo, no two with the same authority; the prefix a normalized path without a
 * trailing `/`; proxies IP addresses or CIDR blocks. Mistakes throw BindingConfigError.
 * Does not compare anything with `htu`: checkHtu does.
 */
export function createEffectiveUriResolver(options: EffectiveUriOptions): EffectiveUriResolver {
  const origins = resolveOrigins(options.origins);
  const prefix = resolvePathPrefix(options.pathPrefix ?? '');
  const proxies = resolveTrustedProxies(options.trustedProxies ?? []);
  return (request) => {
    const origin = originOf(request, origins, proxies);
    return `${origin.origin}${prefix}${pathOfRequestTarget(request.target)}`;
  };
}

function originOf(request: RequestUriInput, origins: readonly PublicOrigin[], proxies: BlockList | undefined): PublicOrigin {
  const hosts = request.host;
  if (hosts === undefined || hosts.length !== 1) throw invalidTarget('request must carry exactly one Host header');
  let host = hosts[0] as string;
  let scheme: string | undefined;
  if (proxies !== undefined && isTrusted(request.remoteAddress, proxies)) {
    const forwarded = forwardedOrigin(request);
    scheme = forwarded.proto?.toLowerCase();
    host = forwarded.host ?? host;
  }
  const origin = origins.find(
    (candidate) => (scheme === undefined || candidate.scheme === scheme) && normalizeAuthority(host, candidate.scheme) === candidate.authority,
  );
  if (origin === undefined) throw invalidTarget('request host is not a public origin of this resource');
  return origin;
}

function isTrusted(address: string | undefined, proxies: BlockList): boolean {
  if (address === undefined) return false;
  const family = isIP(address);
  return family !== 0 && proxies.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

function invalidTarget(description: string): BindingError {
  return new BindingError(FailureType.InvalidRequestTarget, description);
}

function resolveOrigins(value: unknown): readonly PublicOrigin[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new BindingConfigError('DPoP: origins must be a non-empty array of http(s) origins');
  }
  const origins = value.map(resolveOrigin);
  if (new Set(origins.map((origin) => origin.authority)).size !== origins.length) {
    throw new BindingConfigError('DPoP: two origins share a host and port; the Host header could not tell them apart');
  }
  return Object.freeze(origins);
}

function resolveOrigin(value: unknown): PublicOrigin {
  const normalized = typeof value === 'string' && !/[?#@]/.test(value) ? normalizeHttpUri(value) : undefined;
  const match = normalized === undefined ? null : /^(https?):\/\/([^/]+)\/$/.exec(normalized);
  if (match === null) {
    throw new BindingConfigError(`DPoP: origin ${String(value)} is not an http(s) origin without path, query or userinfo`);
  }
  const scheme = match[1] as HttpScheme;
  const authority = match[2] as string;
  return Object.freeze({ scheme, authority, origin: `${scheme}://${authority}` });
}

function resolvePathPrefix(value: unknown): string {
  if (value === '') return '';
  if (typeof value !== 'string' || value.endsWith('/') || normalizePath(value) !== value) {
    throw new BindingConfigError('DPoP: pathPrefix must be a normalized path such as /api, without a trailing /');
  }
  return value;
}

function resolveTrustedProxies(value: unknown): BlockList | undefined {
  if (!Array.isArray(value)) throw new BindingConfigError('DPoP: trustedProxies must be an array');
  if (value.length === 0) return undefined;
  const list = new BlockList();
  for (const entry of value) addProxy(list, entry);
  return list;
}

function addProxy(list: BlockList, entry: unknown): void {
  const [address, bits, extra] = typeof entry === 'string' ? entry.split('/') : [];
  const family = address === undefined ? 0 : isIP(address);
  const type = family === 6 ? 'ipv6' : 'ipv4';
  const maxBits = family === 6 ? 128 : 32;
  const prefix = bits === undefined ? maxBits : /^\d{1,3}$/.test(bits) ? Number(bits) : -1;
  if (family === 0 || extra !== undefined || prefix < 0 || prefix > maxBits) {
    throw new BindingConfigError(`DPoP: trusted proxy ${String(entry)} is not an IP address or CIDR block`);
  }
  list.addSubnet(address as string, prefix, type);
}
