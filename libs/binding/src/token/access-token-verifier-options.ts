import type { JWTVerifyGetKey } from 'jose';
import { BindingConfigError } from '../errors/binding-error.js';
import { integerOption } from '../options/integer-range.js';
import { systemClock, type Clock } from '../time/clock.js';

/** RFC 8725 §3.1 allow-list; RFC 9068 §4 "The resource server MUST reject any JWT in which the value of alg is none". */
export const DEFAULT_TOKEN_ALGORITHMS: readonly string[] = Object.freeze(['ES256', 'EdDSA', 'PS256']);
/** RFC 9068 §4 allows "some small leeway, usually no more than a few minutes". */
export const DEFAULT_CLOCK_TOLERANCE_S = 5; // seconds
export const MAX_CLOCK_TOLERANCE_S = 300; // seconds
/** Refused before any decoding or hashing, so an oversized header costs nothing. */
export const DEFAULT_MAX_TOKEN_LENGTH = 16_384; // characters
/** RFC 8693 §4.1 nests `act` to keep the chain; an internal chain is a few hops long. */
export const DEFAULT_MAX_ACTOR_DEPTH = 8; // nested act objects
/** About 1-2 KiB per entry (a 43-character key and the frozen claims): 10 000 entries stay under ~20 MiB. */
export const DEFAULT_TOKEN_CACHE_MAX_ENTRIES = 10_000; // entries; 0 disables the cache
/** A cached token is served at most this long after its check, even if `exp` is later (see the verifier). */
export const DEFAULT_TOKEN_CACHE_MAX_TTL_S = 300; // seconds
export const DEFAULT_TYP_REQUIREMENT: TypRequirement = 'required';

/**
 * `required`: the `typ` header must be `at+jwt` (RFC 9068 §2.1, §4).
 * `accepted-when-present`: for issuers that omit `typ`; a present `typ` must still be `at+jwt`.
 */
export type TypRequirement = 'required' | 'accepted-when-present';

/** Asymmetric JWS algorithms jose can verify; `none` and HMAC (`HS*`) are never accepted. */
const ASYMMETRIC_ALGORITHMS: ReadonlySet<string> = new Set([
  'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519', 'PS256', 'PS384', 'PS512', 'RS256', 'RS384', 'RS512',
  'ML-DSA-44', 'ML-DSA-65', 'ML-DSA-87',
]);

export interface AccessTokenVerifierOptions {
  /** RFC 9068 §4: "MUST exactly match the value of the iss claim". */
  readonly issuer: string;
  /** This resource server's identifier; the token's `aud` must include it. */
  readonly audience: string;
  /** The issuer's keys: a remote key set (remote-key-set.ts) or jose's createLocalJWKSet. */
  readonly keys: JWTVerifyGetKey;
  readonly algorithms?: readonly string[];
  readonly clockToleranceSeconds?: number;
  readonly typ?: TypRequirement;
  readonly maxTokenLength?: number;
  readonly maxActorDepth?: number;
  readonly cacheMaxEntries?: number;
  readonly cacheMaxTtlSeconds?: number;
  readonly clock?: Clock;
}

export interface ResolvedVerifierOptions {
  readonly issuer: string;
  readonly audience: string;
  readonly keys: JWTVerifyGetKey;
  readonly algorithms: readonly string[];
  readonly clockToleranceSeconds: number;
  readonly typ: TypRequirement;
  readonly maxTokenLength: number;
  readonly maxActorDepth: number;
  readonly cacheMaxEntries: number;
  readonly cacheMaxTtlSeconds: number;
  readonly clock: Clock;
}

/**
 * Validates the verifier's configuration once, at construction, into a frozen object; throws
 * BindingConfigError. Does not contact the issuer or test the key source: discovery does that.
 */
export function resolveVerifierOptions(options: AccessTokenVerifierOptions): ResolvedVerifierOptions {
  if (options === null || typeof options !== 'object') {
    throw new BindingConfigError('access token verifier: options must be an object');
  }
  return Object.freeze({
    issuer: nonEmptyString(options.issuer, 'issuer'),
    audience: nonEmptyString(options.audience, 'audience'),
    keys: keySource(options.keys),
    algorithms: algorithmList(options.algorithms ?? DEFAULT_TOKEN_ALGORITHMS),
    clockToleranceSeconds: integerOption(options.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_S, 'access token verifier: clockToleranceSeconds', 0, MAX_CLOCK_TOLERANCE_S),
    typ: typRequirement(options.typ ?? DEFAULT_TYP_REQUIREMENT),
    maxTokenLength: integerOption(options.maxTokenLength ?? DEFAULT_MAX_TOKEN_LENGTH, 'access token verifier: maxTokenLength', 64, 1_048_576),
    maxActorDepth: integerOption(options.maxActorDepth ?? DEFAULT_MAX_ACTOR_DEPTH, 'access token verifier: maxActorDepth', 1, 64),
    cacheMaxEntries: integerOption(options.cacheMaxEntries ?? DEFAULT_TOKEN_CACHE_MAX_ENTRIES, 'access token verifier: cacheMaxEntries', 0, 10_000_000),
    cacheMaxTtlSeconds: integerOption(options.cacheMaxTtlSeconds ?? DEFAULT_TOKEN_CACHE_MAX_TTL_S, 'access token verifier: cacheMaxTtlSeconds', 1, 86_400),
    clock: clockOf(options.clock ?? systemClock),
  });
}

function nonEmptyString(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new BindingConfigError(`access token verifier: ${name} must be a non-empty string`);
  }
  return value;
}

function keySource(value: unknown): JWTVerifyGetKey {
  if (typeof value !== 'function') {
    throw new BindingConfigError('access token verifier: keys must be a jose key resolver (JWTVerifyGetKey)');
  }
  return value as JWTVerifyGetKey;
}

function algorithmList(value: readonly string[]): readonly string[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new BindingConfigError('access token verifier: algorithms must be a non-empty array');
  }
  for (const alg of value) {
    // RFC 8725 §2.1: accepting HMAC where the issuer signs with a public-key algorithm lets anyone
    // holding the public key forge tokens, and a secret shared with the issuer would let every
    // resource server mint them; so the allow-list may hold asymmetric algorithms only.
    if (typeof alg !== 'string' || !ASYMMETRIC_ALGORITHMS.has(alg)) {
      throw new BindingConfigError(`access token verifier: algorithm ${String(alg)} is not an asymmetric JWS algorithm`);
    }
  }
  if (new Set(value).size !== value.length) {
    throw new BindingConfigError('access token verifier: algorithms contains duplicates');
  }
  return Object.freeze([...value]);
}

function typRequirement(value: unknown): TypRequirement {
  if (value !== 'required' && value !== 'accepted-when-present') {
    throw new BindingConfigError("access token verifier: typ must be 'required' or 'accepted-when-present'");
  }
  return value;
}

function clockOf(value: unknown): Clock {
  if (typeof value !== 'function') {
    throw new BindingConfigError('access token verifier: clock must be a function returning epoch seconds');
  }
  return value as Clock;
}
