import { describe, expect, it } from '@jest/globals';
import { BindingError, checkCertificatePathNotRevoked as checkCallerNotRevoked, FailureType, LoadingRevocationList, MemoryRevocationList, type CertificatePathThumbprints, type RevocationList } from '#binding';
import { ExchangeRefusal } from './exchange-refusal.js';

const NOW = 1_700_000_000;
const LEAF = 'A'.repeat(43);
const INTERMEDIATE = 'B'.repeat(43);
const ANCHOR = 'C'.repeat(43);
const OTHER = 'D'.repeat(43);
const CALLER: CertificatePathThumbprints = Object.freeze({ thumbprint: LEAF, pathThumbprints: Object.freeze([LEAF, INTERMEDIATE, ANCHOR]) });

function listAt(now = NOW): MemoryRevocationList {
  return new MemoryRevocationList({ clock: () => now });
}

function refusal(step: () => unknown): BindingError {
  try {
    step();
  } catch (error) {
    if (error instanceof BindingError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('checkCallerNotRevoked: H12 for the caller\'s certificate path, part of its authentication', () => {
  it('H12: a caller none of whose path is revoked passes (another certificate revoked, or nothing)', () => {
    const list = listAt();
    expect(() => checkCallerNotRevoked(list, CALLER)).not.toThrow();
    list.apply({ kind: 'cert', value: OTHER, until: NOW + 30 });
    expect(() => checkCallerNotRevoked(list, CALLER)).not.toThrow();
  });

  it('H12: a revoked caller certificate is Revoked, which the exchange answers invalid_client (401) in its caller stage', () => {
    const list = listAt();
    list.apply({ kind: 'cert', value: LEAF, until: NOW + 30 });
    const error = refusal(() => checkCallerNotRevoked(list, CALLER));
    expect(error).toMatchObject({ type: FailureType.Revoked });
    expect(new ExchangeRefusal('caller', error).toReply()).toMatchObject({ code: 'invalid_client', type: 'revoked', status: 401 });
  });

  it('H12, RFC 5280 §6.1.3 (a)(3): a revoked intermediate or anchor refuses the leaf it issued', () => {
    for (const revoked of [INTERMEDIATE, ANCHOR]) {
      const list = listAt();
      list.apply({ kind: 'cert', value: revoked, until: NOW + 30 });
      expect(refusal(() => checkCallerNotRevoked(list, CALLER))).toMatchObject({ type: FailureType.Revoked });
    }
  });

  it('H12: the revocation lapses after its until: the same certificate passes again', () => {
    const list = listAt(NOW + 31);
    list.apply({ kind: 'cert', value: LEAF, until: NOW + 30 });
    expect(() => checkCallerNotRevoked(list, CALLER)).not.toThrow();
  });

  it('H12: only certificates are looked up; a revoked end user or token is the subject stage\'s (checkNotRevoked)', () => {
    const seen: unknown[] = [];
    const recording: RevocationList = { isRevoked: (entry) => (seen.push(entry), false) };
    checkCallerNotRevoked(recording, CALLER);
    expect(seen).toEqual([{ certificateThumbprint: LEAF }, { certificateThumbprint: INTERMEDIATE }, { certificateThumbprint: ANCHOR }]);
  });

  it('H12: fails closed: an unknown path, a path not led by the leaf, a list not loaded yet (503), a list that throws', () => {
    const list = listAt();
    expect(refusal(() => checkCallerNotRevoked(list, { thumbprint: LEAF }))).toMatchObject({ type: FailureType.Revoked });
    expect(refusal(() => checkCallerNotRevoked(list, { thumbprint: LEAF, pathThumbprints: [INTERMEDIATE, ANCHOR] }))).toMatchObject({ type: FailureType.Revoked });
    const loading = new LoadingRevocationList(listAt());
    expect(refusal(() => checkCallerNotRevoked(loading, CALLER))).toMatchObject({ type: FailureType.RevocationsUnavailable, status: 503 });
    const cause = new Error('broken');
    const broken: RevocationList = { isRevoked: () => { throw cause; } };
    expect(refusal(() => checkCallerNotRevoked(broken, CALLER))).toMatchObject({ type: FailureType.Revoked, cause });
    const undecided = { isRevoked: () => undefined } as unknown as RevocationList;
    expect(refusal(() => checkCallerNotRevoked(undecided, CALLER))).toMatchObject({ type: FailureType.Revoked });
  });
});
