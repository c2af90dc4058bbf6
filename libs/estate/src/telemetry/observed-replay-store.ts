import type { ReplayStore } from '#binding';
import { estateInstruments } from './estate-instruments.js';
import { telemetryExporting } from './workload-telemetry.js';

/**
 * O1: counts every claim of `store` under `hop` by outcome: `claimed` (first use), `replayed`
 * (seen before), `full` or `unavailable` (the store refused to decide; the request was refused,
 * fail closed). The claim itself is the store's, unchanged: a rejection is passed on as it came.
 */
export function observedReplayStore<T extends ReplayStore>(store: T, hop: string): T {
  // A process that exports nothing (telemetry started with no OTEL_* and no OPS_PORT): the store as it is.
  if (telemetryExporting() === false) return store;
  const { replayClaims } = estateInstruments();
  const claim = async (scope: string, id: string, ttlSeconds: number): Promise<boolean> => {
    try {
      const claimed = await store.claim(scope, id, ttlSeconds);
      const outcome = claimed ? 'claimed' : 'replayed';
      replayClaims.add(`${hop} ${outcome}`, () => ({ hop, outcome }));
      return claimed;
    } catch (error) {
      const outcome = isFull(error) ? 'full' : 'unavailable';
      replayClaims.add(`${hop} ${outcome}`, () => ({ hop, outcome }));
      throw error;
    }
  };
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'claim') return claim;
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === 'function' ? (value as Function).bind(target) : value;
    },
  });
}

function isFull(error: unknown): boolean {
  for (let cause: unknown = error, depth = 0; cause instanceof Error && depth < 4; cause = cause.cause, depth++) {
    if (/\bfull\b|maximum|max_bytes|cap/i.test(cause.message)) return true;
  }
  return false;
}
