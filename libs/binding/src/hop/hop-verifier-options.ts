import { LRUCache } from 'lru-cache';
import { BindingConfigError } from '../errors/binding-error.js';
import { CERTIFICATE_KEY_ALGORITHMS, type CertificateKeyAlgorithm } from '../mtls/certificate-key.js';
import type { CertificatePathValidator } from '../mtls/certificate-path.js';
import type { HopProofHeader } from './parse-hop-proof.js';
import { spiffeIdOption } from '../mtls/spiffe-id.js';
import { integerOption } from '../options/integer-range.js';
import type { ReplayStore } from '../replay/replay-store.js';
import { systemClock, type Clock } from '../time/clock.js';
import { DEFAULT_IAT_FUTURE_S, DEFAULT_IAT_PAST_S, replayWindowSeconds, resolveIatWindow, type IatWindow } from '../time/iat-window.js';

export const DEFAULT_HOP_ALGORITHMS: readonly CertificateKeyAlgorithm[] = CERTIFICATE_KEY_ALGORITHMS;
export const DEFAULT_HOP_IAT_PAST_S = DEFAULT_IAT_PAST_S; // seconds a proof may be old
export const DEFAULT_HOP_IAT_FUTURE_S = DEFAULT_IAT_FUTURE_S; // seconds a proof may be ahead of this clock
export const DEFAULT_MAX_HOP_TOKEN_LENGTH = 8 * 1024; // characters
export const DEFAULT_MAX_HOP_PROOF_LENGTH = 16 * 1024; // characters; x5c makes proofs large
const MAX_HEADER_LENGTH = 1024 * 1024; // characters; a larger cap is a configuration mistake

/** What every check of a hop proof needs (H1-H7 and the replay claim), whoever receives it. */
export interface HopProofVerifierOptions {
  /** This service's SPIFFE ID: the `aud` of the proofs it accepts. */
  readonly audience: string;
  readonly certificates: CertificatePathValidator;
  readonly replay: ReplayStore;
  readonly clock?: Clock;
  readonly algorithms?: readonly CertificateKeyAlgorithm[];
  readonly iatPastSeconds?: number;
  readonly iatFutureSeconds?: number;
  readonly maxProofLength?: number;
}

/** HopProofVerifierOptions validated, defaults applied, frozen: built once at start-up. */
export interface HopProofChecks {
  readonly audience: string;
  readonly certificates: CertificatePathValidator;
  readonly replay: ReplayStore;
  readonly clock: Clock;
  readonly algorithms: readonly CertificateKeyAlgorithm[];
  readonly iatWindow: IatWindow;
  readonly maxProofLength: number;
  /** How long a claimed `jti` is kept: the whole window in which its proof could be accepted. */
  readonly replayTtlSeconds: number;
  /** H2 results by header segment, for this very allow-list (parseHopProof). */
  readonly headers: HopHeaderCache;
}

/**
 * Checked hop-proof headers kept: one per sender certificate in use (a header is `typ`, `alg` and
 * `x5c`, the same for every proof a signer makes), each about 1 KiB of key and 1 KiB of value.
 */
export const DEFAULT_HOP_HEADER_CACHE_MAX_ENTRIES = 256; // entries

/** What parseHopProof keeps per header segment: the checked header, frozen. */
export type HopHeaderCache = LRUCache<string, HopProofHeader>;

/**
 * Validates the options shared by createHopVerifier and createCallerProofVerifier, once, at
 * construction; `what` names the verifier in the BindingConfigError a mistake throws. The audience
 * must be a SPIFFE ID (ARCHITECTURE "Identities"), the algorithms a non-empty subset of ES256 and
 * EdDSA, the `iat` window at most MAX_IAT_WINDOW_S each way (resolveIatWindow).
 * Does not check the dependencies beyond their methods' presence.
 */
export function resolveHopProofChecks(options: HopProofVerifierOptions, what: string): HopProofChecks {
  spiffeIdOption(options.audience, `${what} audience must be this service's SPIFFE ID`);
  requireMethods(options, [['certificates', 'validate'], ['replay', 'claim']], what);
  if (options.clock !== undefined && typeof options.clock !== 'function') {
    throw new BindingConfigError(`${what} clock must be a function`);
  }
  const iatWindow = resolveIatWindow(options.iatPastSeconds ?? DEFAULT_HOP_IAT_PAST_S, options.iatFutureSeconds ?? DEFAULT_HOP_IAT_FUTURE_S, what);
  const algorithms = resolveAlgorithms(options.algorithms ?? DEFAULT_HOP_ALGORITHMS, what);
  return Object.freeze({
    audience: options.audience,
    certificates: options.certificates,
    replay: options.replay,
    clock: options.clock ?? systemClock,
    algorithms,
    iatWindow,
    maxProofLength: headerLength(options.maxProofLength ?? DEFAULT_MAX_HOP_PROOF_LENGTH, `${what} maxProofLength`),
    replayTtlSeconds: replayWindowSeconds(iatWindow),
    headers: new LRUCache<string, HopProofHeader>({ max: DEFAULT_HOP_HEADER_CACHE_MAX_ENTRIES }),
  });
}

/** Each named dependency of `options` has the named method; else BindingConfigError. */
export function requireMethods(options: object, dependencies: readonly (readonly [string, string])[], what: string): void {
  for (const [name, method] of dependencies) {
    const dependency = (options as Record<string, Record<string, unknown> | undefined>)[name];
    if (typeof dependency?.[method] !== 'function') {
      throw new BindingConfigError(`${what} ${name} must provide ${method}()`);
    }
  }
}

/** A header size cap: an integer from 1 character to 1 MiB; else BindingConfigError. */
export function headerLength(value: unknown, name: string): number {
  return integerOption(value, name, 1, MAX_HEADER_LENGTH);
}

function resolveAlgorithms(value: unknown, what: string): readonly CertificateKeyAlgorithm[] {
  const supported: readonly string[] = CERTIFICATE_KEY_ALGORITHMS;
  if (!Array.isArray(value) || value.length === 0 || !value.every((alg) => supported.includes(alg))) {
    throw new BindingConfigError(`${what} algorithms must be a non-empty subset of ${supported.join(', ')}`);
  }
  if (new Set(value).size !== value.length) {
    throw new BindingConfigError(`${what} algorithms contains duplicates`);
  }
  return Object.freeze([...(value as CertificateKeyAlgorithm[])]);
}
