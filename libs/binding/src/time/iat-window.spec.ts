import { describe, expect, it } from '@jest/globals';
import { BindingConfigError } from '../errors/binding-error.js';
import { resolveHopProofChecks } from '../hop/hop-verifier-options.js';
import { resolveProofTimeWindow } from '../dpop/check-proof-time.js';
import { DEFAULT_IAT_FUTURE_S, DEFAULT_IAT_PAST_S, MAX_IAT_WINDOW_S, replayWindowSeconds, resolveIatWindow } from './iat-window.js';

const hopOptions = (window: { iatPastSeconds?: number; iatFutureSeconds?: number }) => ({
  audience: 'spiffe://estate.local/inventory',
  certificates: { validate: () => { throw new Error('unused'); } },
  replay: { claim: async () => true },
  ...window,
}) as never;

describe('MAX_IAT_WINDOW_S: one meaning for DPoP (E16) and hop (H6) proofs', () => {
  it('E16, H6: each side of the window may be configured up to MAX_IAT_WINDOW_S, DPoP and hop alike', () => {
    expect(MAX_IAT_WINDOW_S).toBe(600);
    expect(resolveProofTimeWindow(MAX_IAT_WINDOW_S, MAX_IAT_WINDOW_S)).toEqual({ pastSeconds: 600, futureSeconds: 600 });
    expect(resolveHopProofChecks(hopOptions({ iatPastSeconds: 600, iatFutureSeconds: 600 }), 'hop verifier').iatWindow).toEqual({ pastSeconds: 600, futureSeconds: 600 });
  });

  it('E16, H6: one second more is a configuration mistake, DPoP and hop alike (the hop allowed 3600 before)', () => {
    expect(() => resolveProofTimeWindow(601, 10)).toThrow(new BindingConfigError('DPoP: iatPastSeconds must be an integer from 1 to 600, got 601'));
    expect(() => resolveProofTimeWindow(60, 601)).toThrow(new BindingConfigError('DPoP: iatFutureSeconds must be an integer from 0 to 600, got 601'));
    for (const window of [{ iatPastSeconds: 601 }, { iatFutureSeconds: 601 }, { iatPastSeconds: 3600 }, { iatFutureSeconds: 3600 }]) {
      expect(() => resolveHopProofChecks(hopOptions(window), 'hop verifier')).toThrow(/^hop verifier iat(Past|Future)Seconds must be an integer from [01] to 600, got/);
    }
  });

  it('E17, H6: the replay store keeps a jti for past + future, at most twice MAX_IAT_WINDOW_S', () => {
    expect(replayWindowSeconds(resolveIatWindow(DEFAULT_IAT_PAST_S, DEFAULT_IAT_FUTURE_S, 'test'))).toBe(70);
    expect(replayWindowSeconds(resolveIatWindow(MAX_IAT_WINDOW_S, MAX_IAT_WINDOW_S, 'test'))).toBe(2 * MAX_IAT_WINDOW_S);
    expect(resolveHopProofChecks(hopOptions({}), 'hop verifier').replayTtlSeconds).toBe(DEFAULT_IAT_PAST_S + DEFAULT_IAT_FUTURE_S);
  });
});
