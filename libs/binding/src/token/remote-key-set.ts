import { createRemoteJWKSet, customFetch, type FetchImplementation, type RemoteJWKSet } from 'jose';
import { BindingConfigError, BindingError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import { integerOption } from '../options/integer-range.js';
import { discoverIssuerMetadata, parseJwksUri, type DiscoveryOptions, type IssuerMetadata } from './issuer-metadata.js';

/** A request must not wait long on the issuer: a slow key set fails fast with 503. */
export const DEFAULT_JWKS_TIMEOUT_MS = 2_000; // milliseconds per fetch
/** After a successful fetch, an unknown `kid` may trigger the next fetch only this much later. */
export const DEFAULT_JWKS_COOLDOWN_MS = 30_000; // milliseconds
/** Keys are refetched when older than this, even if every `kid` is known. */
export const DEFAULT_JWKS_CACHE_MAX_AGE_MS = 600_000; // milliseconds
/** After a failed fetch, requests fail at once (503) for this long instead of fetching again. */
export const DEFAULT_JWKS_FAILURE_BACKOFF_MS = 2_000; // milliseconds

export interface RemoteKeySetOptions {
  readonly timeoutMs?: number;
  readonly cooldownMs?: number;
  readonly cacheMaxAgeMs?: number;
  readonly failureBackoffMs?: number;
  /** RFC 8414 §2 requires https; allow http for local development only. */
  readonly allowHttp?: boolean;
}

/** jose's remote key resolver: pass it as `keys` to createAccessTokenVerifier. */
export type RemoteKeySet = RemoteJWKSet;

export interface DiscoveredKeySet {
  readonly metadata: IssuerMetadata;
  readonly keys: RemoteKeySet;
}

/**
 * The issuer's keys from its JWKS URI (E18, H8), through jose's createRemoteJWKSet: keys are
 * cached, refetched when older than `cacheMaxAgeMs`, and refetched when a token names an unknown
 * `kid` (the issuer rotated its keys) but at most once per `cooldownMs` after a successful fetch,
 * so tokens with invented `kid`s cannot make this server hammer the issuer. jose does not space out
 * fetches that fail; `failureBackoffMs` does, failing requests at once meanwhile (503). Every
 * fetch is aborted after `timeoutMs`, and redirects are not followed.
 *
 * Options are validated here, once; a mistake throws BindingConfigError.
 * Does not check that the keys belong to the issuer named in tokens: the verifier's `iss` check and
 * the operator's choice of URI do; discoverRemoteKeySet ties the URI to the issuer's metadata.
 */
export function createRemoteKeySet(jwksUri: string | URL, options: RemoteKeySetOptions = {}): RemoteKeySet {
  const url = parseJwksUri(jwksUri, options.allowHttp ?? false);
  const timeoutMs = integerOption(options.timeoutMs ?? DEFAULT_JWKS_TIMEOUT_MS, 'key set: timeoutMs', 1, 60_000);
  const cooldownMs = integerOption(options.cooldownMs ?? DEFAULT_JWKS_COOLDOWN_MS, 'key set: cooldownMs', 0, 3_600_000);
  const cacheMaxAgeMs = integerOption(options.cacheMaxAgeMs ?? DEFAULT_JWKS_CACHE_MAX_AGE_MS, 'key set: cacheMaxAgeMs', 1_000, 86_400_000);
  const failureBackoffMs = integerOption(options.failureBackoffMs ?? DEFAULT_JWKS_FAILURE_BACKOFF_MS, 'key set: failureBackoffMs', 0, 600_000);
  if (cooldownMs > cacheMaxAgeMs) {
    throw new BindingConfigError('key set: cooldownMs must not exceed cacheMaxAgeMs');
  }
  return createRemoteJWKSet(url, {
    timeoutDuration: timeoutMs,
    cooldownDuration: cooldownMs,
    cacheMaxAge: cacheMaxAgeMs,
    [customFetch]: fetchWithFailureBackoff(failureBackoffMs),
  });
}

/**
 * Start-up discovery: the issuer's metadata (RFC 8414, then OpenID Connect), its `issuer` checked
 * to be identical to the configured one (RFC 8414 §3.3), then its `jwks_uri` fetched once, so a
 * missing or broken key set stops the app from starting rather than failing its first requests.
 * Run it in the app's bootstrap (e.g. an async provider factory) and hand `keys` to the verifier.
 * Throws as discoverIssuerMetadata does, and BindingError `KeySetUnavailable` when the first key
 * fetch fails. Does not re-discover later: a changed `jwks_uri` takes a restart.
 */
export async function discoverRemoteKeySet(
  issuer: string,
  options: RemoteKeySetOptions & DiscoveryOptions = {},
): Promise<DiscoveredKeySet> {
  const metadata = await discoverIssuerMetadata(issuer, options);
  const keys = createRemoteKeySet(metadata.jwks_uri, options);
  try {
    await keys.reload();
  } catch (cause) {
    throw new BindingError(FailureType.KeySetUnavailable, 'the issuer key set could not be fetched at start-up', { cause });
  }
  if ((keys.jwks()?.keys.length ?? 0) === 0) {
    throw new BindingError(FailureType.KeySetUnavailable, 'the issuer key set holds no keys');
  }
  return Object.freeze({ metadata, keys });
}

/** Remembers a failed fetch (network error, timeout, non-200) and refuses to fetch again for a while. */
function fetchWithFailureBackoff(backoffMs: number): FetchImplementation {
  let retryAt = 0; // Date.now() milliseconds; jose's cooldown runs on the same clock
  return async (url, init) => {
    if (Date.now() < retryAt) {
      throw new Error('issuer key set fetch failed recently; backing off');
    }
    try {
      const response = await fetch(url, init);
      if (response.status !== 200) retryAt = Date.now() + backoffMs;
      return response;
    } catch (error) {
      retryAt = Date.now() + backoffMs;
      throw error;
    }
  };
}
