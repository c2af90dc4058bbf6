import { describe, expect, it } from '@jest/globals';
import { sha256Base64url } from '../crypto/digest.js';
import { BindingError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import { claimOnce } from './claim-once.js';
import { MemoryReplayStore } from './memory-replay-store.js';
import type { ReplayStore } from './replay-store.js';

async function refusal(promise: Promise<unknown>): Promise<BindingError> {
  const error = await promise.then(() => undefined, (thrown: unknown) => thrown);
  if (!(error instanceof BindingError)) throw new Error('expected a BindingError');
  return error;
}

describe('claimOnce', () => {
  it('E17: the first claim passes and returns the jti hash; the second is a replay', async () => {
    const store = new MemoryReplayStore({ sweepIntervalMs: 0 });
    await expect(claimOnce(store, 'sender-a', 'jti-1', 70)).resolves.toBe(sha256Base64url('jti-1'));
    expect(await refusal(claimOnce(store, 'sender-a', 'jti-1', 70))).toMatchObject({ type: FailureType.ProofReplayed, code: 'invalid_dpop_proof' });
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
    const error = await refusal(claimOnce(failing, 'sender-a', 'jti-1', 70));
    expect(error).toMatchObject({ type: FailureType.ReplayStoreUnavailable, code: 'temporarily_unavailable', status: 503 });
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('E17: any answer but true is a replay', async () => {
    const odd = { claim: () => Promise.resolve('yes' as unknown as boolean) };
    expect(await refusal(claimOnce(odd, 'sender-a', 'jti-1', 70))).toMatchObject({ type: FailureType.ProofReplayed });
  });
});
