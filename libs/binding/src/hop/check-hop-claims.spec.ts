import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { expectBindingError } from '../../test-support/expect-binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import { checkAth } from '../token/check-ath.js';
import { checkPayloadHash, checkProofAudience, checkProofExpiry, checkProofIat, checkProofSubject } from './check-hop-claims.js';
import type { HopProofClaims } from './parse-hop-proof.js';
import { payloadHash } from './payload-hash.js';

const NOW = 1_700_000_000;
const WINDOW = { pastSeconds: 60, futureSeconds: 10 };
const TOKEN = 'eyJhbGciOiJFUzI1NiIsInR5cCI6ImF0K2p3dCJ9.eyJzdWIiOiJhbGljZSJ9.c2ln';
const PAYLOAD = { sku: 'A-1', quantity: 2 };

const claims = (overrides: Partial<HopProofClaims> = {}): HopProofClaims => ({
  jti: 'id-1',
  iat: NOW,
  exp: NOW + 60,
  aud: 'spiffe://estate.local/inventory',
  sub: 'inventory.reserve',
  ath: createHash('sha256').update(TOKEN).digest('base64url'),
  pdh: payloadHash(PAYLOAD),
  ...overrides,
});

describe('hop proof claims', () => {
  it('H6: exp after iat, within the window after it and not passed, passes (a proof 50 s old with a 60 s lifetime too)', () => {
    expect(() => checkProofExpiry(claims(), NOW, WINDOW)).not.toThrow();
    expect(() => checkProofExpiry(claims({ iat: NOW - 50, exp: NOW + 10 }), NOW, WINDOW)).not.toThrow();
    expect(() => checkProofExpiry(claims({ iat: NOW + 0.5, exp: NOW + 30.5 }), NOW, WINDOW)).not.toThrow();
  });

  it('H6: an exp that has passed, or is now, fails as not fresh', () => {
    expectBindingError(() => checkProofExpiry(claims({ iat: NOW - 61, exp: NOW - 1 }), NOW, WINDOW), FailureType.ProofNotFresh, 'invalid_dpop_proof');
    expectBindingError(() => checkProofExpiry(claims({ iat: NOW - 60, exp: NOW }), NOW, WINDOW), FailureType.ProofNotFresh, 'invalid_dpop_proof');
  });

  it('H6: an exp not after iat, or further after it than the window, fails as malformed claims (a proof may not outlive its iat window)', () => {
    expectBindingError(() => checkProofExpiry(claims({ exp: NOW }), NOW - 1, WINDOW), FailureType.ProofClaims, 'invalid_dpop_proof');
    expectBindingError(() => checkProofExpiry(claims({ exp: NOW - 5 }), NOW - 10, WINDOW), FailureType.ProofClaims, 'invalid_dpop_proof');
    expectBindingError(() => checkProofExpiry(claims({ exp: NOW + 61 }), NOW, WINDOW), FailureType.ProofClaims, 'invalid_dpop_proof');
    expectBindingError(() => checkProofExpiry(claims({ exp: NOW + 86_400 }), NOW, WINDOW), FailureType.ProofClaims, 'invalid_dpop_proof');
  });

  it('H5: aud equal to this service passes; another service, or a case variant, fails', () => {
    expect(() => checkProofAudience(claims(), 'spiffe://estate.local/inventory')).not.toThrow();
    expectBindingError(() => checkProofAudience(claims(), 'spiffe://estate.local/orders'), FailureType.ProofAudience, 'invalid_dpop_proof');
    expectBindingError(() => checkProofAudience(claims({ aud: 'spiffe://estate.local/Inventory' }), 'spiffe://estate.local/inventory'), FailureType.ProofAudience, 'invalid_dpop_proof');
  });

  it('H5: sub equal to the subject handled passes; another subject of the same service fails', () => {
    expect(() => checkProofSubject(claims(), 'inventory.reserve')).not.toThrow();
    expectBindingError(() => checkProofSubject(claims(), 'inventory.release'), FailureType.ProofSubject, 'invalid_dpop_proof');
  });

  it('H6: iat 10 s old, 60 s old, 8 s ahead and 10 s ahead pass', () => {
    for (const iat of [NOW - 10, NOW - 60, NOW + 8, NOW + 10, NOW]) {
      expect(() => checkProofIat(claims({ iat }), NOW, WINDOW)).not.toThrow();
    }
  });

  it('H6, E10: a fractional iat is judged by the same window: 59.5 s old and 9.75 s ahead pass, 60.5 s old and 10.5 s ahead fail', () => {
    for (const iat of [NOW - 59.5, NOW + 9.75, NOW + 0.3]) {
      expect(() => checkProofIat(claims({ iat }), NOW, WINDOW)).not.toThrow();
    }
    for (const iat of [NOW - 60.5, NOW + 10.5, NOW - 3600.5]) {
      expectBindingError(() => checkProofIat(claims({ iat }), NOW, WINDOW), FailureType.ProofNotFresh, 'invalid_dpop_proof');
    }
  });

  it('H6: iat 61 s old, 11 s ahead, or an hour off fails', () => {
    for (const iat of [NOW - 61, NOW + 11, NOW - 3600, NOW + 3600]) {
      expectBindingError(() => checkProofIat(claims({ iat }), NOW, WINDOW), FailureType.ProofNotFresh, 'invalid_dpop_proof');
    }
  });

  it('H7: ath of the token as sent passes; of another token fails', () => {
    expect(() => checkAth(claims().ath, TOKEN)).not.toThrow();
    expectBindingError(() => checkAth(claims().ath, `${TOKEN}x`), FailureType.AthMismatch, 'invalid_dpop_proof');
  });

  it('H7: pdh of the received payload passes, whatever its member order; another payload fails', () => {
    expect(() => checkPayloadHash(claims(), { quantity: 2, sku: 'A-1' })).not.toThrow();
    expectBindingError(() => checkPayloadHash(claims(), { sku: 'A-1', quantity: 20 }), FailureType.PayloadHashMismatch, 'invalid_dpop_proof');
    expectBindingError(() => checkPayloadHash(claims(), undefined), FailureType.PayloadHashMismatch, 'invalid_dpop_proof');
  });

  it('H7: no payload matches a pdh made for no payload', () => {
    expect(() => checkPayloadHash(claims({ pdh: payloadHash(undefined) }), undefined)).not.toThrow();
    expect(() => checkPayloadHash(claims({ pdh: payloadHash(undefined) }), null)).not.toThrow();
  });

  it('H7: a payload with no JSON form fails as a mismatch, not a crash', () => {
    expectBindingError(() => checkPayloadHash(claims(), { n: 10n }), FailureType.PayloadHashMismatch, 'invalid_dpop_proof');
  });
});
