import { BindingConfigError } from '../errors/binding-error.js';
import { NonceIssuer, type NonceOptions } from '../nonce/nonce-issuer.js';
import { integerOption } from '../options/integer-range.js';
import type { ReplayStore } from '../replay/replay-store.js';
import type { RevocationList } from '../revocation/revocation-list.js';
import { systemClock, type Clock } from '../time/clock.js';
import type { IatWindow } from '../time/iat-window.js';
import type { AccessTokenVerifier } from '../token/access-token.js';
import { DEFAULT_IAT_FUTURE_S, DEFAULT_IAT_PAST_S, resolveProofTimeWindow } from './check-proof-time.js';
import { createEffectiveUriResolver, type EffectiveUriOptions, type EffectiveUriResolver } from './effective-uri.js';
import { DEFAULT_MAX_PROOF_LENGTH } from './parse-authorization.js';
import { DEFAULT_MAX_JTI_LENGTH } from './parse-proof-claims.js';
import { DEFAULT_DPOP_ALGORITHMS, resolveDpopAlgorithms } from './proof-algorithms.js';
import { DEFAULT_PROOF_KEY_CACHE_MAX_ENTRIES, ProofKeyCache } from './proof-key-cache.js';

/** RFC 9449 §7.2: a resource may accept unbound Bearer tokens too; this edge requires DPoP. */
export const DEFAULT_ALLOW_BEARER = false;

export interface DpopVerifierOptions extends EffectiveUriOptions {
  /** Verifies the access token (E18): signature, `iss`, `aud`, `exp`, `typ`. */
  readonly tokenVerifier: AccessTokenVerifier;
  /** Claim-once store shared by every replica (E17). */
  readonly replayStore: ReplayStore;
  /** E8 allow-list, also advertised in `algs`; DEFAULT_DPOP_ALGORITHMS when absent. */
  readonly algorithms?: readonly string[];
  /** E15; nonces are off when absent. The verifier's clock is used unless one is given here. */
  readonly nonce?: NonceOptions;
  readonly iatPastSeconds?: number;
  readonly iatFutureSeconds?: number;
  readonly maxProofLength?: number;
  readonly maxJtiLength?: number;
  readonly keyCacheMaxEntries?: number;
  /** Accept unbound tokens with the Bearer scheme (never bound ones: E5 downgrade). */
  readonly allowBearer?: boolean;
  /**
   * The revocations announced on `estate.revocations` (H12 at the edge): a token whose `jti` or
   * `sub` is revoked is refused. Absent: the edge applies none (a deployment without the feed).
   */
  readonly revocations?: RevocationList;
  readonly clock?: Clock;
}

/** Everything the verifier needs, validated and built once, frozen. */
export interface DpopVerifierConfig {
  readonly algorithms: readonly string[];
  readonly tokenVerifier: AccessTokenVerifier;
  readonly replayStore: ReplayStore;
  readonly effectiveUri: EffectiveUriResolver;
  readonly keys: ProofKeyCache;
  readonly nonces: NonceIssuer;
  readonly window: IatWindow;
  readonly maxProofLength: number;
  readonly maxJtiLength: number;
  readonly allowBearer: boolean;
  readonly revocations: RevocationList | undefined;
  readonly clock: Clock;
}

/** Validates the DPoP verifier's options once, at construction; a mistake throws BindingConfigError. */
export function resolveDpopVerifierOptions(options: DpopVerifierOptions): DpopVerifierConfig {
  if (options === null || typeof options !== 'object') throw new BindingConfigError('DPoP: options must be an object');
  const clock = options.clock ?? systemClock;
  if (typeof clock !== 'function') throw new BindingConfigError('DPoP: clock must be a function returning epoch seconds');
  const algorithms = resolveDpopAlgorithms(options.algorithms ?? DEFAULT_DPOP_ALGORITHMS);
  return Object.freeze({
    algorithms,
    tokenVerifier: implementing(options.tokenVerifier, 'verify', 'tokenVerifier'),
    replayStore: implementing(options.replayStore, 'claim', 'replayStore'),
    effectiveUri: createEffectiveUriResolver(options),
    keys: new ProofKeyCache(algorithms, options.keyCacheMaxEntries ?? DEFAULT_PROOF_KEY_CACHE_MAX_ENTRIES),
    nonces: new NonceIssuer({ ...options.nonce, clock: options.nonce?.clock ?? clock }),
    window: resolveProofTimeWindow(options.iatPastSeconds ?? DEFAULT_IAT_PAST_S, options.iatFutureSeconds ?? DEFAULT_IAT_FUTURE_S),
    maxProofLength: integerOption(options.maxProofLength ?? DEFAULT_MAX_PROOF_LENGTH, 'DPoP: maxProofLength', 512, 65_536),
    maxJtiLength: integerOption(options.maxJtiLength ?? DEFAULT_MAX_JTI_LENGTH, 'DPoP: maxJtiLength', 16, 1024),
    allowBearer: booleanOf(options.allowBearer ?? DEFAULT_ALLOW_BEARER, 'allowBearer'),
    revocations: options.revocations === undefined ? undefined : implementing(options.revocations, 'isRevoked', 'revocations'),
    clock,
  });
}

function implementing<T>(value: T, method: string, name: string): T {
  if (typeof value !== 'object' || value === null || typeof (value as Record<string, unknown>)[method] !== 'function') {
    throw new BindingConfigError(`DPoP: ${name} must be an object with a ${method}() method`);
  }
  return value;
}

function booleanOf(value: unknown, name: string): boolean {
  if (typeof value !== 'boolean') throw new BindingConfigError(`DPoP: ${name} must be a boolean`);
  return value;
}
