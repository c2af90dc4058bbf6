import { describe, expect, it } from '@jest/globals';
import { expectBindingError } from '../../test-support/expect-binding-error.js';
import { BindingConfigError, BindingError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import type { AccessTokenClaims } from '../token/access-token.js';
import { MemoryRevocationList } from './memory-revocation-list.js';
import { checkCertificatePathNotRevoked, checkNotRevoked, type RevocationList } from './revocation-list.js';

const NOW = 1_700_000_000;
const THUMBPRINT = 'A'.repeat(43);
const OTHER_THUMBPRINT = 'B'.repeat(43);

function frozenClock(start = NOW): { clock: () => number; set: (t: number) => void } {
  let now = start;
  return { clock: () => now, set: (t) => (now = t) };
}

const claims = (overrides: Partial<AccessTokenClaims> = {}): AccessTokenClaims => ({
  iss: 'spiffe://estate.local/sts',
  sub: 'alice',
  aud: 'spiffe://estate.local/orders',
  exp: NOW + 60,
  jti: 'token-1',
  ...overrides,
});

/** What a hop request involves: the token's jti and sub, and a one-certificate sender path. */
function checkRequest(list: RevocationList, tokenClaims: AccessTokenClaims, thumbprint: string): void {
  checkNotRevoked(list, tokenClaims);
  checkCertificatePathNotRevoked(list, { thumbprint, pathThumbprints: [thumbprint] });
}

function expectRevoked(action: () => void): BindingError {
  return expectBindingError(action, FailureType.Revoked, 'invalid_token');
}

describe('MemoryRevocationList with checkNotRevoked and checkCertificatePathNotRevoked', () => {
  it('H12: nothing revoked passes', () => {
    const list = new MemoryRevocationList({ clock: frozenClock().clock });
    list.apply({ kind: 'jti', value: 'other-token', until: NOW + 60 });
    expect(() => checkRequest(list, claims(), THUMBPRINT)).not.toThrow();
  });

  it.each([
    ['the token jti', { kind: 'jti', value: 'token-1' }],
    ['the subject', { kind: 'sub', value: 'alice' }],
    ['the sender certificate', { kind: 'cert', value: THUMBPRINT }],
  ])('H12: a revoked %s fails with Revoked', (_case, event) => {
    const list = new MemoryRevocationList({ clock: frozenClock().clock });
    expect(list.apply({ ...event, until: NOW + 60 })).toBe('applied');
    expectRevoked(() => checkRequest(list, claims(), THUMBPRINT));
  });

  it('H12: a revocation holds through its until second and lapses after it', () => {
    const time = frozenClock();
    const list = new MemoryRevocationList({ clock: time.clock });
    list.apply({ kind: 'cert', value: THUMBPRINT, until: NOW + 30 });
    time.set(NOW + 30);
    expectRevoked(() => checkRequest(list, claims(), THUMBPRINT));
    time.set(NOW + 31);
    expect(() => checkRequest(list, claims(), THUMBPRINT)).not.toThrow();
    expect(list.size).toBe(0);
  });

  it('H12: an event already past its until changes nothing', () => {
    const list = new MemoryRevocationList({ clock: frozenClock().clock });
    expect(list.apply({ kind: 'sub', value: 'alice', until: NOW - 1 })).toBe('expired');
    expect(list.size).toBe(0);
  });

  it('H12: a later event extends a revocation but never shortens it', () => {
    const time = frozenClock();
    const list = new MemoryRevocationList({ clock: time.clock });
    list.apply({ kind: 'sub', value: 'alice', until: NOW + 100 });
    list.apply({ kind: 'sub', value: 'alice', until: NOW + 10 });
    time.set(NOW + 50);
    expectRevoked(() => checkRequest(list, claims(), THUMBPRINT));
    list.apply({ kind: 'sub', value: 'alice', until: NOW + 200 });
    time.set(NOW + 150);
    expectRevoked(() => checkRequest(list, claims(), THUMBPRINT));
  });

  it('H12: a malformed event throws and changes nothing', () => {
    const list = new MemoryRevocationList({ clock: frozenClock().clock });
    expect(() => list.apply({ kind: 'cert', value: 'not-a-thumbprint', until: NOW + 60 })).toThrow(TypeError);
    expect(() => list.apply({ kind: 'everything', value: 'x', until: NOW + 60 })).toThrow(TypeError);
    expect(list.size).toBe(0);
    expect(() => checkRequest(list, claims(), THUMBPRINT)).not.toThrow();
  });

  it('H12: full of live entries, the list fails closed until the refused event would have lapsed', () => {
    const time = frozenClock();
    const list = new MemoryRevocationList({ clock: time.clock, maxEntries: 2 });
    list.apply({ kind: 'jti', value: 'a', until: NOW + 100 });
    list.apply({ kind: 'jti', value: 'b', until: NOW + 100 });
    expect(list.apply({ kind: 'cert', value: OTHER_THUMBPRINT, until: NOW + 20 })).toBe('saturated');
    expectRevoked(() => checkRequest(list, claims(), THUMBPRINT));
    time.set(NOW + 21);
    expect(() => checkRequest(list, claims(), THUMBPRINT)).not.toThrow();
  });

  it('H12: when full, lapsed entries are swept to make room', () => {
    const time = frozenClock();
    const list = new MemoryRevocationList({ clock: time.clock, maxEntries: 1 });
    list.apply({ kind: 'jti', value: 'a', until: NOW + 5 });
    time.set(NOW + 6);
    expect(list.apply({ kind: 'sub', value: 'alice', until: NOW + 60 })).toBe('applied');
    expect(list.size).toBe(1);
    expectRevoked(() => checkRequest(list, claims(), THUMBPRINT));
  });

  it('H12: a list that throws fails closed, keeping the cause', () => {
    const broken: RevocationList = {
      isRevoked() {
        throw new Error('feed lost');
      },
    };
    const error = expectRevoked(() => checkRequest(broken, claims(), THUMBPRINT));
    expect(error.cause).toEqual(new Error('feed lost'));
  });

  it('H12: a token without jti is still checked by subject and certificate', () => {
    const list = new MemoryRevocationList({ clock: frozenClock().clock });
    list.apply({ kind: 'cert', value: THUMBPRINT, until: NOW + 60 });
    expectRevoked(() => checkRequest(list, claims({ jti: undefined }), THUMBPRINT));
    expect(() => checkRequest(list, claims({ jti: undefined }), OTHER_THUMBPRINT)).not.toThrow();
  });

  it('H12: maxEntries is validated at construction', () => {
    expect(() => new MemoryRevocationList({ maxEntries: 0 })).toThrow(BindingConfigError);
    expect(() => new MemoryRevocationList({ maxEntries: 1.5 })).toThrow(BindingConfigError);
  });
});
