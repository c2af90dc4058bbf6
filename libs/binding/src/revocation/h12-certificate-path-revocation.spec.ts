import { beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { expectBindingError } from '../../test-support/expect-binding-error.js';
import { createCertificateAuthority, createIntermediateAuthority, issueCertificate, type Authority } from '../../test-support/pki.js';
import { BindingError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import { createCertificatePathValidator, type CertificatePathValidator, type ValidatedCertificate } from '../mtls/certificate-path.js';
import type { AccessTokenClaims } from '../token/access-token.js';
import { MemoryRevocationList } from './memory-revocation-list.js';
import { checkCertificatePathNotRevoked, checkNotRevoked, type RevocationList } from './revocation-list.js';

// H12 for every certificate of the sender's path (RFC 5280 §6.1.3 (a)(3): "At the current time,
// the certificate is not revoked"): an audit found that only x5c[0] was looked up, so revoking an
// intermediate CA's x5t#S256 left every leaf it issued accepted.

const NOW = Math.floor(Date.now() / 1000); // the certificates are issued now
const ORDERS = 'spiffe://estate.local/orders';
const INVENTORY = 'spiffe://estate.local/inventory';
const UNRELATED = 'C'.repeat(43);

const x5t = (der: Uint8Array): string => createHash('sha256').update(der).digest('base64url');
const b64 = (der: Uint8Array): string => Buffer.from(der).toString('base64');
const claims: AccessTokenClaims = { iss: 'spiffe://estate.local/sts', sub: 'alice', aud: INVENTORY, exp: NOW + 60, jti: 'token-1' };

let root: Authority;
let revokedCa: Authority;
let siblingCa: Authority;
let validator: CertificatePathValidator;
/** Two leaves of `revokedCa`, one of `siblingCa`, one of the root itself, validated as x5c carries them. */
let viaRevoked: ValidatedCertificate[];
let viaSibling: ValidatedCertificate;
let direct: ValidatedCertificate;

function frozenClock(start = NOW): { clock: () => number; set: (t: number) => void } {
  let now = start;
  return { clock: () => now, set: (t) => (now = t) };
}

async function leafOf(authority: Authority, spiffeId: string): Promise<string[]> {
  const leaf = await issueCertificate(authority, { commonName: spiffeId.split('/').pop()!, spiffeId, usage: 'client' });
  return [leaf.der, ...authority.chainDer].map(b64);
}

function expectRevoked(action: () => void): BindingError {
  const error = expectBindingError(action, FailureType.Revoked, 'invalid_token');
  expect(error.status).toBe(401);
  return error;
}

const listRevoking = (value: string, time = frozenClock()): MemoryRevocationList => {
  const list = new MemoryRevocationList({ clock: time.clock });
  expect(list.apply({ kind: 'cert', value, until: NOW + 60 })).toBe('applied');
  return list;
};

beforeAll(async () => {
  root = await createCertificateAuthority({ commonName: 'estate CA' });
  revokedCa = await createIntermediateAuthority(root, { commonName: 'estate CA intermediate 1' });
  siblingCa = await createIntermediateAuthority(root, { commonName: 'estate CA intermediate 2' });
  validator = createCertificatePathValidator({ trustAnchorsPem: root.certificatePem, trustDomain: 'estate.local', clock: () => NOW });
  viaRevoked = [validator.validate(await leafOf(revokedCa, ORDERS)), validator.validate(await leafOf(revokedCa, INVENTORY))];
  viaSibling = validator.validate(await leafOf(siblingCa, ORDERS));
  direct = validator.validate(await leafOf(root, ORDERS));
});

describe('checkCertificatePathNotRevoked (H12, RFC 5280 §6.1.3 (a)(3))', () => {
  it('H12: nothing revoked passes, for leaves of intermediates and of the root', () => {
    const list = new MemoryRevocationList({ clock: frozenClock().clock });
    for (const certificate of [...viaRevoked, viaSibling, direct]) {
      expect(() => checkCertificatePathNotRevoked(list, certificate)).not.toThrow();
      expect(() => checkNotRevoked(list, claims)).not.toThrow();
    }
  });

  it('H12: revoking an intermediate CA refuses every leaf it issued, as a revoked leaf is refused', () => {
    const list = listRevoking(x5t(revokedCa.der));
    for (const certificate of viaRevoked) {
      expectRevoked(() => checkCertificatePathNotRevoked(list, certificate));
    }
    // The token itself is not revoked: only the path is.
    expect(() => checkNotRevoked(list, claims)).not.toThrow();
    // The same type, code and status as the leaf's own revocation.
    const leafRevoked = expectRevoked(() => checkCertificatePathNotRevoked(listRevoking(viaSibling.thumbprint), viaSibling));
    const issuerRevoked = expectRevoked(() => checkCertificatePathNotRevoked(list, viaRevoked[0]));
    expect({ type: issuerRevoked.type, code: issuerRevoked.code, status: issuerRevoked.status })
      .toEqual({ type: leafRevoked.type, code: leafRevoked.code, status: leafRevoked.status });
  });

  it('H12: a leaf from a non-revoked intermediate, or from the root, still passes', () => {
    const list = listRevoking(x5t(revokedCa.der));
    expect(() => checkCertificatePathNotRevoked(list, viaSibling)).not.toThrow();
    expect(() => checkCertificatePathNotRevoked(list, direct)).not.toThrow();
  });

  it('H12: revoking an unrelated certificate thumbprint changes nothing', () => {
    const list = listRevoking(UNRELATED);
    for (const certificate of [...viaRevoked, viaSibling, direct]) {
      expect(() => checkCertificatePathNotRevoked(list, certificate)).not.toThrow();
    }
  });

  it('H12: revoking the trust anchor refuses every path under it', () => {
    const list = listRevoking(x5t(root.der));
    for (const certificate of [...viaRevoked, viaSibling, direct]) {
      expectRevoked(() => checkCertificatePathNotRevoked(list, certificate));
    }
  });

  it('H12: a path validated and cached before the revocation is refused after it, and passes once it lapses', async () => {
    const time = frozenClock();
    const list = new MemoryRevocationList({ clock: time.clock });
    const x5c = await leafOf(revokedCa, ORDERS);
    const cached = createCertificatePathValidator({ trustAnchorsPem: root.certificatePem, trustDomain: 'estate.local', clock: () => NOW });
    const first = cached.validate(x5c);
    expect(() => checkCertificatePathNotRevoked(list, first)).not.toThrow();
    list.apply({ kind: 'cert', value: x5t(revokedCa.der), until: NOW + 30 });
    const hit = cached.validate(x5c);
    expect(hit).toBe(first); // served from the cache
    expectRevoked(() => checkCertificatePathNotRevoked(list, hit));
    time.set(NOW + 31);
    expect(() => checkCertificatePathNotRevoked(list, cached.validate(x5c))).not.toThrow();
  });

  it('H12: fails closed on a certificate whose path is not named, or does not start at its leaf', () => {
    const list = new MemoryRevocationList({ clock: frozenClock().clock });
    const [certificate] = viaRevoked;
    const unnamed = { thumbprint: certificate.thumbprint };
    const issuersOnly = { thumbprint: certificate.thumbprint, pathThumbprints: certificate.pathThumbprints!.slice(1) };
    expectRevoked(() => checkCertificatePathNotRevoked(list, unnamed));
    expectRevoked(() => checkCertificatePathNotRevoked(list, issuersOnly));
  });

  it('H12: a list that throws fails closed: its BindingError as it is, anything else as Revoked with the cause', () => {
    const unavailable = new BindingError(FailureType.RevocationsUnavailable, 'not loaded');
    const loading: RevocationList = { isRevoked: () => { throw unavailable; } };
    expect(() => checkCertificatePathNotRevoked(loading, viaSibling)).toThrow(unavailable);
    const broken: RevocationList = { isRevoked: () => { throw new Error('feed lost'); } };
    expect(expectRevoked(() => checkCertificatePathNotRevoked(broken, viaSibling)).cause).toEqual(new Error('feed lost'));
    // Anything but `false` is revoked.
    const undecided = { isRevoked: () => undefined } as unknown as RevocationList;
    expectRevoked(() => checkCertificatePathNotRevoked(undecided, viaSibling));
  });

  it('H12: every certificate is looked up by its x5t#S256 alone, leaf first', () => {
    const looked: unknown[] = [];
    const recording: RevocationList = { isRevoked: (entry) => (looked.push(entry), false) };
    checkCertificatePathNotRevoked(recording, viaRevoked[0]);
    expect(looked).toEqual([
      { certificateThumbprint: viaRevoked[0].thumbprint },
      { certificateThumbprint: x5t(revokedCa.der) },
      { certificateThumbprint: x5t(root.der) },
    ]);
  });
});
