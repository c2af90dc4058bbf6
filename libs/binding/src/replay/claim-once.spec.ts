import { describe, expect, it } from '@jest/globals';
import { expectBindingError } from '../../test-support/expect-binding-error.js';
import { sha256Base64url } from '../crypto/digest.js';
import { FailureType } from '../errors/failure-type.js';
import { claimOnce } from './claim-once.js';
import { MemoryReplayStore } from './memory-replay-store.js';
import type { ReplayStore } from './replay-store.js';

describe('claimOnce', () => {
  it('E17: the first claim passes and returns the jti hash; the second is a replay', async () => {
    const store = new MemoryReplayStore({ sweepIntervalMs: 0 });
    await expect(claimOnce(store, 'sender-a', 'jti-1', 70)).resolves.toBe(sha256Base64url('jti-1'));
    await expectBindingError(claimOnce(store, 'sender-a', 'jti-1', 70), FailureType.ProofReplayed, 'invalid_dpop_proof');
    store.close();
  });

  it('H6: the same jti from another sender is its own claim', async () => {
    const store = new MemoryReplayStore({ sweepIntervalMs: 0 });
    await claimOnce(store, 'sender-a', 'jti-1', 70);
    await expect(claimOnce(store, 'sender-b', 'jti-1', 70)).resolves.toBe(sha256Base64url('jti-1'));
    store.close();
  });

  it('E17: a store that errs fails closed as 503, never as an accept', async () => {
    const failing: ReplayStore = { claim: () => Promise.reject(new Error('connection refused')) };
    const error = await expectBindingError(claimOnce(failing, 'sender-a', 'jti-1', 70), FailureType.ReplayStoreUnavailable, 'temporarily_unavailable');
    expect(error.status).toBe(503);
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('E17: any answer but true is a replay', async () => {
    const odd = { claim: () => Promise.resolve('yes' as unknown as boolean) };
    await expectBindingError(claimOnce(odd, 'sender-a', 'jti-1', 70), FailureType.ProofReplayed, 'invalid_dpop_proof');
  });
});
