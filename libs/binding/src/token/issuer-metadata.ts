import { BindingConfigError, BindingError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import { integerOption } from '../options/integer-range.js';

export const DEFAULT_DISCOVERY_TIMEOUT_MS = 5_000; // milliseconds, for the whole discovery
/** RFC 8414 §3 first, then OpenID Connect Discovery 1.0 §4 (RFC 8414 §5 compatibility notes). */
const WELL_KNOWN_SUFFIXES = ['oauth-authorization-server', 'openid-configuration'] as const;

/** The members discovery relies on; the rest of the document is kept, unvalidated. */
export interface IssuerMetadata {
  readonly issuer: string;
  readonly jwks_uri: string;
  readonly [member: string]: unknown;
}

export interface DiscoveryOptions {
  /** Abort the whole discovery (both well-known URIs) after this long. */
  readonly discoveryTimeoutMs?: number;
  /** RFC 8414 §2 requires https; allow http for local development only. */
  readonly allowHttp?: boolean;
}

/**
 * Fetches the authorization server's metadata and checks it names the configured issuer. Meant to
 * run once, at start-up: a failure throws, loudly, before the app serves anything.
 *
 * RFC 8414 §3: the metadata is at "a path formed by inserting a well-known URI string into the
 * authorization server's issuer identifier between the host component and the path component";
 * when that answers with anything but 200, the OpenID Connect location (the suffix appended to the
 * issuer) is tried. RFC 8414 §3.3: "The issuer value returned MUST be identical to the
 * authorization server's issuer identifier value into which the well-known URI string was inserted
 * to create the URL used to retrieve the metadata. If these values are not identical, the data
 * contained in the response MUST NOT be used." A mismatch is not retried at the other location.
 *
 * Throws BindingError `KeySetUnavailable` when the server cannot be reached, times out or serves
 * no metadata (retry may help), BindingConfigError when the issuer or the metadata is unusable
 * (no retry helps). Does not fetch the keys: createRemoteKeySet does.
 */
export async function discoverIssuerMetadata(issuer: string, options: DiscoveryOptions = {}): Promise<IssuerMetadata> {
  const timeoutMs = options.discoveryTimeoutMs ?? DEFAULT_DISCOVERY_TIMEOUT_MS;
  integerOption(timeoutMs, 'issuer discovery: discoveryTimeoutMs', 1, 60_000);
  const allowHttp = options.allowHttp ?? false;
  const issuerUrl = parseIssuer(issuer, allowHttp);
  const signal = AbortSignal.timeout(timeoutMs);
  const statuses: number[] = [];
  for (const suffix of WELL_KNOWN_SUFFIXES) {
    const response = await fetchMetadata(wellKnownUrl(issuerUrl, suffix), signal, timeoutMs);
    if (response.status !== 200) {
      statuses.push(response.status);
      await response.body?.cancel();
      continue;
    }
    return checkMetadata(await readJson(response, timeoutMs), issuer, allowHttp);
  }
  throw new BindingError(FailureType.KeySetUnavailable, `issuer publishes no metadata (HTTP ${statuses.join(', ')})`);
}

/** RFC 8414 §2 issuer: "a URL that uses the https scheme and has no query or fragment components". */
function parseIssuer(issuer: string, allowHttp: boolean): URL {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch (cause) {
    throw new BindingConfigError('issuer discovery: issuer is not a URL', { cause });
  }
  if (!isAllowedScheme(url, allowHttp) || issuer.includes('?') || issuer.includes('#')) {
    throw new BindingConfigError('issuer discovery: issuer must be an https URL without query or fragment');
  }
  return url;
}

/** RFC 8414 §3.1 and OpenID Connect Discovery §4.1: "any terminating / MUST be removed" from the path. */
function wellKnownUrl(issuer: URL, suffix: (typeof WELL_KNOWN_SUFFIXES)[number]): URL {
  const path = issuer.pathname.replace(/\/$/, '');
  return suffix === 'oauth-authorization-server'
    ? new URL(`${issuer.origin}/.well-known/${suffix}${path}`)
    : new URL(`${issuer.origin}${path}/.well-known/${suffix}`);
}

async function fetchMetadata(url: URL, signal: AbortSignal, timeoutMs: number): Promise<Response> {
  try {
    return await fetch(url, { signal, redirect: 'manual', headers: { accept: 'application/json' } });
  } catch (cause) {
    throw unreachable(cause, timeoutMs);
  }
}

async function readJson(response: Response, timeoutMs: number): Promise<unknown> {
  try {
    return await response.json();
  } catch (cause) {
    if (cause instanceof SyntaxError) {
      throw new BindingError(FailureType.KeySetUnavailable, 'issuer metadata is not JSON', { cause });
    }
    throw unreachable(cause, timeoutMs);
  }
}

function unreachable(cause: unknown, timeoutMs: number): BindingError {
  const timedOut = cause instanceof Error && (cause.name === 'TimeoutError' || cause.name === 'AbortError');
  const description = timedOut ? `issuer metadata did not arrive within ${timeoutMs} ms` : 'issuer metadata could not be fetched';
  return new BindingError(FailureType.KeySetUnavailable, description, { cause });
}

function checkMetadata(body: unknown, issuer: string, allowHttp: boolean): IssuerMetadata {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new BindingConfigError('issuer discovery: metadata is not a JSON object');
  }
  const metadata = body as Record<string, unknown>;
  if (metadata.issuer !== issuer) {
    throw new BindingConfigError('issuer discovery: metadata issuer is not identical to the configured issuer (RFC 8414 §3.3)');
  }
  parseJwksUri(metadata.jwks_uri, allowHttp);
  return Object.freeze({ ...metadata }) as IssuerMetadata;
}

/** RFC 8414 §2 jwks_uri: "URL of the authorization server's JWK Set document". */
export function parseJwksUri(value: unknown, allowHttp: boolean): URL {
  let url: URL | undefined;
  try {
    url = typeof value === 'string' || value instanceof URL ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (url === undefined || !isAllowedScheme(url, allowHttp)) {
    throw new BindingConfigError('key set: jwks_uri must be an https URL');
  }
  return url;
}

function isAllowedScheme(url: URL, allowHttp: boolean): boolean {
  return url.protocol === 'https:' || (allowHttp && url.protocol === 'http:');
}
