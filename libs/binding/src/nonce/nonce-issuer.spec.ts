import { randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { expectBindingError } from '../../test-support/expect-binding-error.js';
import { BindingConfigError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import { NOW, testClock } from '../dpop/proof-client.fixture.js';
import { RFC7638_THUMBPRINT, RFC9449_JKT } from '../dpop/rfc-examples.fixture.js';
import { DEFAULT_NONCE_STEP_S, NonceIssuer } from './nonce-issuer.js';

const SECRET = randomBytes(32);
const STEP = DEFAULT_NONCE_STEP_S;
/** A clock at the start of a step, so "same step" and "next step" are unambiguous. */
const stepStart = Math.ceil(NOW / STEP) * STEP;
const issuer = (clock = testClock(stepStart), secret: Uint8Array | string = SECRET) => new NonceIssuer({ mode: 'required', secret, clock });

describe('NonceIssuer', () => {
  it('E15: a proof without a nonce gets use_dpop_nonce and a fresh nonce that then passes', () => {
    const nonces = issuer();
    const error = expectBindingError(() => nonces.check(undefined, RFC9449_JKT), FailureType.NonceRequired, 'use_dpop_nonce');
    expect(error.status).toBe(401);
    expect(() => nonces.check(error.nonce, RFC9449_JKT)).not.toThrow();
  });

  it('E15: a nonce is accepted in its step and the next, refused after, with a fresh nonce', () => {
    const clock = testClock(stepStart);
    const nonces = issuer(clock);
    const nonce = nonces.issue(RFC9449_JKT);
    clock.set(stepStart + STEP - 1);
    expect(() => nonces.check(nonce, RFC9449_JKT)).not.toThrow();
    clock.set(stepStart + 2 * STEP - 1);
    expect(() => nonces.check(nonce, RFC9449_JKT)).not.toThrow();
    clock.set(stepStart + 2 * STEP);
    const error = expectBindingError(() => nonces.check(nonce, RFC9449_JKT), FailureType.NonceInvalid, 'use_dpop_nonce');
    expect(error.status).toBe(401);
    expect(() => nonces.check(error.nonce, RFC9449_JKT)).not.toThrow();
  });

  it('E15: a nonce from a future step is refused', () => {
    const clock = testClock(stepStart + STEP);
    const later = issuer(clock).issue(RFC9449_JKT);
    expect(expectBindingError(() => issuer().check(later, RFC9449_JKT), FailureType.NonceInvalid, 'use_dpop_nonce').status).toBe(401);
  });

  it('E15: a nonce is bound to the client key thumbprint', () => {
    const nonces = issuer();
    const nonce = nonces.issue(RFC9449_JKT);
    expect(expectBindingError(() => nonces.check(nonce, RFC7638_THUMBPRINT), FailureType.NonceInvalid, 'use_dpop_nonce').status).toBe(401);
  });

  it('E15: replicas sharing the secret accept each other\'s nonces; another secret does not', () => {
    const nonce = issuer().issue(RFC9449_JKT);
    expect(() => issuer(testClock(stepStart), Buffer.from(SECRET).toString('base64url')).check(nonce, RFC9449_JKT)).not.toThrow();
    expect(expectBindingError(() => issuer(testClock(stepStart), randomBytes(32)).check(nonce, RFC9449_JKT), FailureType.NonceInvalid, 'use_dpop_nonce').status).toBe(401);
  });

  it('E15: a forged, truncated or malformed nonce is refused', () => {
    const nonces = issuer();
    const nonce = nonces.issue(RFC9449_JKT);
    const flipped = `${nonce.slice(0, -2)}${nonce.at(-2) === 'A' ? 'B' : 'A'}${nonce.at(-1)}`;
    for (const bad of [flipped, nonce.slice(1), `${nonce}A`, nonce.replace(/.$/, '+'), '', 'eyJ7S_zG.eyJH0-Z.HX4w-7v']) {
      expect(expectBindingError(() => nonces.check(bad, RFC9449_JKT), FailureType.NonceInvalid, 'use_dpop_nonce').status).toBe(401);
    }
  });

  it('E15: a nonce is unpredictable and has RFC 9449 §8.1 syntax (1*NQCHAR)', () => {
    const a = issuer(testClock(stepStart), randomBytes(32)).issue(RFC9449_JKT);
    const b = issuer(testClock(stepStart), randomBytes(32)).issue(RFC9449_JKT);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^[\x21\x23-\x5b\x5d-\x7e]+$/);
  });

  it('E15: a success response carries a new nonce once the presented one is in its last step', () => {
    const clock = testClock(stepStart);
    const nonces = issuer(clock);
    const nonce = nonces.issue(RFC9449_JKT);
    expect(nonces.shouldRotate(nonce)).toBe(false);
    clock.set(stepStart + STEP);
    expect(nonces.shouldRotate(nonce)).toBe(true);
    expect(nonces.shouldRotate(undefined)).toBe(false);
  });

  it('E15: mode off checks nothing, never rotates, and cannot issue', () => {
    const off = new NonceIssuer({ mode: 'off' });
    expect(() => off.check(undefined, RFC9449_JKT)).not.toThrow();
    expect(() => off.check('anything', RFC9449_JKT)).not.toThrow();
    expect(off.shouldRotate(issuer().issue(RFC9449_JKT))).toBe(false);
    expect(() => off.issue(RFC9449_JKT)).toThrow(BindingConfigError);
    expect(new NonceIssuer().mode).toBe('off');
  });

  it('E15: the configuration is validated at construction: mode, secret of 32+ bytes, step', () => {
    const bad = [
      { mode: 'on-demand', secret: SECRET },
      { mode: 'required' },
      { mode: 'required', secret: randomBytes(31) },
      { mode: 'required', secret: Buffer.from(randomBytes(31)).toString('base64url') },
      { mode: 'required', secret: 'not base64url!' },
      { mode: 'required', secret: SECRET, stepSeconds: 5 },
      { mode: 'required', secret: SECRET, stepSeconds: 60.5 },
      { mode: 'required', secret: SECRET, clock: 42 },
      { mode: 'off', secret: 'short' },
    ];
    for (const options of bad) {
      expect(() => new NonceIssuer(options as never)).toThrow(BindingConfigError);
    }
  });
});
