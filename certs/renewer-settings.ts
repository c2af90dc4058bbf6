import { integerRangeProblem } from '#binding/core';
import type { BeforeWriteHook } from './atomic-write.js';
import type { CertificateChangeListener } from './certificate-change.js';
import { ESTATE_LEAVES, type LeafSpec } from './estate-leaves.js';
import { DEFAULT_KEY_ALGORITHM, type KeyAlgorithm } from './key-algorithm.js';
import { assertLifetime, DEFAULT_CA_TTL_S, DEFAULT_LEAF_TTL_S, MIN_LEAF_TTL_S } from './lifetime.js';
import { SYSTEM_CLOCK, type RenewerClock } from './renewer-clock.js';

export type RenewerLog = (level: 'info' | 'warn', message: string) => void;

export interface CertificateRenewerOptions {
  /** A folder laid out like certs/out/ (created 0700 if missing). */
  readonly dir: string;
  /** Leaf lifetime; default DEFAULT_LEAF_TTL_S (1 h), at least MIN_LEAF_TTL_S (30 s). */
  readonly leafTtlSeconds?: number;
  /** Lifetime of a CA the renewer creates; default DEFAULT_CA_TTL_S (24 h). */
  readonly caTtlSeconds?: number;
  /** Share of a CA's life after which a rollover begins by itself; default DEFAULT_CA_ROLLOVER_FRACTION. */
  readonly caRolloverFraction?: number;
  /** Default true; false leaves rollovers to rolloverCa(). */
  readonly autoCaRollover?: boolean;
  /** How long a new CA sits in the bundle before any leaf is issued under it (L4). */
  readonly bundlePropagationSeconds?: number;
  readonly caCommonName?: string;
  readonly keyAlgorithm?: KeyAlgorithm;
  /** Default: ESTATE_LEAVES (the broker and one client leaf per identity). */
  readonly leaves?: readonly LeafSpec[];
  readonly onChange?: CertificateChangeListener;
  /** Default: one line per event on stderr. Never receives key material. */
  readonly log?: RenewerLog;
  readonly clock?: RenewerClock;
  /** First retry delay after a failed renewal, doubled per failure; default DEFAULT_RETRY_INITIAL_MS. */
  readonly retryInitialMs?: number;
  /** Longest retry delay; default DEFAULT_RETRY_MAX_MS, and never more than a tenth of the leaf lifetime. */
  readonly retryMaxMs?: number;
  /** Fault injection for tests: runs before every file write, a throw fails that write. */
  readonly beforeWrite?: BeforeWriteHook;
}

/**
 * Half-way through the CA's life, as SPIRE prepares its next CA at half of ca_ttl: the old CA
 * then still has half its life for the leaves it issued to run out.
 */
export const DEFAULT_CA_ROLLOVER_FRACTION = 0.5;
/** Time for every workload and the broker to reload a bundle that gained a CA; they watch files or get a SIGHUP. */
export const DEFAULT_BUNDLE_PROPAGATION_S = 10; // seconds
export const DEFAULT_RETRY_INITIAL_MS = 1_000; // milliseconds
export const DEFAULT_RETRY_MAX_MS = 60_000; // milliseconds
export const DEFAULT_RENEWER_CA_COMMON_NAME = 'hybrid-estate dev CA';
const RETRY_SHARE_OF_LIFETIME = 0.1;

export interface RenewerSettings {
  readonly dir: string;
  readonly leafTtlSeconds: number;
  readonly caTtlSeconds: number;
  readonly caRolloverFraction: number;
  readonly autoCaRollover: boolean;
  readonly bundlePropagationMs: number;
  readonly caCommonName: string;
  readonly keyAlgorithm: KeyAlgorithm;
  readonly leaves: readonly LeafSpec[];
  readonly onChange: CertificateChangeListener | undefined;
  readonly log: RenewerLog;
  readonly clock: RenewerClock;
  readonly retryInitialMs: number;
  readonly retryMaxMs: number;
  readonly beforeWrite: BeforeWriteHook | undefined;
}

const STDERR_LOG: RenewerLog = (level, message) => console.error(`renewer ${level}: ${message}`);

function positiveInteger(value: number, name: string): number {
  const problem = integerRangeProblem(value, 1);
  if (problem !== undefined) throw new TypeError(`${name} ${problem}`);
  return value;
}

/** Validated once, at construction: a bad option throws there, never at the first renewal. */
export function renewerSettings(options: CertificateRenewerOptions): RenewerSettings {
  if (options.dir.trim() === '') throw new TypeError('dir must not be empty');
  const leafTtlSeconds = options.leafTtlSeconds ?? DEFAULT_LEAF_TTL_S;
  assertLifetime(leafTtlSeconds, 'leafTtlSeconds', MIN_LEAF_TTL_S);
  const caTtlSeconds = options.caTtlSeconds ?? DEFAULT_CA_TTL_S;
  assertLifetime(caTtlSeconds, 'caTtlSeconds', 1);
  const caRolloverFraction = options.caRolloverFraction ?? DEFAULT_CA_ROLLOVER_FRACTION;
  if (!(caRolloverFraction > 0 && caRolloverFraction < 1)) throw new TypeError(`caRolloverFraction must be between 0 and 1, got ${String(caRolloverFraction)}`);
  const bundlePropagationSeconds = options.bundlePropagationSeconds ?? DEFAULT_BUNDLE_PROPAGATION_S;
  if (!Number.isFinite(bundlePropagationSeconds) || bundlePropagationSeconds < 0) throw new TypeError(`bundlePropagationSeconds must be 0 or more, got ${String(bundlePropagationSeconds)}`);
  // After the rollover begins, the old CA must outlive the propagation delay and then a whole
  // leaf it issued just before: otherwise its leaves would be cut short by its own notAfter.
  const remainingS = caTtlSeconds * (1 - caRolloverFraction);
  if (remainingS < bundlePropagationSeconds + 2 * leafTtlSeconds) {
    throw new TypeError(`caTtlSeconds ${caTtlSeconds} is too short: after a rollover at ${caRolloverFraction} of its life the old CA must still outlive the propagation delay (${bundlePropagationSeconds} s) and two leaf lifetimes (${2 * leafTtlSeconds} s)`);
  }
  const retryInitialMs = positiveInteger(options.retryInitialMs ?? DEFAULT_RETRY_INITIAL_MS, 'retryInitialMs');
  const retryMaxMs = Math.max(retryInitialMs, Math.min(positiveInteger(options.retryMaxMs ?? DEFAULT_RETRY_MAX_MS, 'retryMaxMs'), leafTtlSeconds * 1_000 * RETRY_SHARE_OF_LIFETIME));
  const leaves = options.leaves ?? ESTATE_LEAVES;
  const names = new Set(leaves.map((leaf) => leaf.name));
  if (names.size !== leaves.length || [...names].some((name) => !/^[a-z0-9][a-z0-9-]*$/.test(name) || name === 'ca' || name === 'ca-next')) {
    throw new TypeError('leaves must have distinct names of lower-case letters, digits and dashes, other than ca and ca-next');
  }
  return Object.freeze({
    dir: options.dir,
    leafTtlSeconds,
    caTtlSeconds,
    caRolloverFraction,
    autoCaRollover: options.autoCaRollover ?? true,
    bundlePropagationMs: bundlePropagationSeconds * 1_000,
    caCommonName: options.caCommonName ?? DEFAULT_RENEWER_CA_COMMON_NAME,
    keyAlgorithm: options.keyAlgorithm ?? DEFAULT_KEY_ALGORITHM,
    leaves,
    onChange: options.onChange,
    log: options.log ?? STDERR_LOG,
    clock: options.clock ?? SYSTEM_CLOCK,
    retryInitialMs,
    retryMaxMs,
    beforeWrite: options.beforeWrite,
  });
}
