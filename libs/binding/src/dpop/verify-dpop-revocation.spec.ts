import { describe, expect, it } from '@jest/globals';
import { decodeJwt } from 'jose';
import { expectBindingError } from '../../test-support/expect-binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import { LoadingRevocationList } from '../revocation/loading-revocation-list.js';
import { MemoryRevocationList } from '../revocation/memory-revocation-list.js';
import { setupVerifier } from './dpop-verifier.fixture.js';
import { MapReplayStore, NOW } from './proof-client.fixture.js';

// H12 at the edge: with a revocation list, a DPoP request whose token `sub` or `jti` is revoked is
// refused after every other check and before the jti is claimed; a list that has not loaded the
// revocations in force yet answers 503, never an accept.

/** A verifier whose list holds one revocation, on the verifier's (frozen) clock. */
async function revoking(event: { kind: 'sub' | 'jti'; value: string }) {
  const list = new MemoryRevocationList({ clock: () => NOW });
  list.apply({ kind: event.kind, value: event.value, until: NOW + 600 });
  return setupVerifier({ revocations: list });
}

describe('createDpopVerifier with revocations (H12 at the edge)', () => {
  it('H12: a revoked subject is refused invalid_token, and the refused proof burns no jti', async () => {
    const { verifier, send, store } = await revoking({ kind: 'sub', value: 'alice' });
    const { request } = await send({ jti: 'kept' });
    await expectBindingError(verifier.verify(request), FailureType.Revoked, 'invalid_token');
    expect((store as MapReplayStore).claims.size).toBe(0);
  });

  it('H12: a revoked token jti is refused; another token of the same user still passes', async () => {
    const list = new MemoryRevocationList({ clock: () => NOW });
    const { verifier, send, tokens, client } = await setupVerifier({ revocations: list });
    const revokedToken = await tokens.issue({ cnf: { jkt: client.jkt } });
    list.apply({ kind: 'jti', value: decodeJwt(revokedToken).jti, until: NOW + 600 });
    await expectBindingError(verifier.verify((await send({}, {}, client, revokedToken)).request), FailureType.Revoked, 'invalid_token');
    await expect(verifier.verify((await send()).request)).resolves.toMatchObject({ claims: { sub: 'alice' } });
  });

  it('H12: until the revocations in force are loaded, a valid request is 503 temporarily_unavailable, then passes', async () => {
    const loading = new LoadingRevocationList(new MemoryRevocationList());
    const { verifier, send, store } = await setupVerifier({ revocations: loading });
    const { request } = await send({ jti: 'early' });
    await expectBindingError(verifier.verify(request), FailureType.RevocationsUnavailable, 'temporarily_unavailable');
    expect((store as MapReplayStore).claims.size).toBe(0);
    loading.loaded();
    await expect(verifier.verify(request)).resolves.toMatchObject({ claims: { sub: 'alice' } });
  });

  it('a revocations option without isRevoked() is a configuration error', async () => {
    await expect(setupVerifier({ revocations: {} as never })).rejects.toThrow(/revocations must be an object with a isRevoked\(\) method/);
  });
});
