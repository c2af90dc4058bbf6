import { describe, expect, it } from '@jest/globals';
import { BindingError } from './binding-error.js';
import { FailureType } from './failure-type.js';
import { dpopChallenge } from './www-authenticate.js';

const algs = ['ES256', 'EdDSA', 'PS256'];

describe('dpopChallenge', () => {
  it('E22: a request without credentials gets a challenge without an error code', () => {
    expect(dpopChallenge(algs)).toBe('DPoP algs="ES256 EdDSA PS256"');
  });

  it('E22: a refusal names the RFC error value, a description and the algs', () => {
    const error = new BindingError(FailureType.ProofSignature, 'DPoP proof signature is invalid');
    expect(dpopChallenge(algs, error)).toBe(
      'DPoP error="invalid_dpop_proof", error_description="DPoP proof signature is invalid", algs="ES256 EdDSA PS256"',
    );
  });

  it('E22: insufficient_scope names the scope the request needs', () => {
    const error = new BindingError(FailureType.InsufficientScope, 'scope orders:write is required', { scope: 'orders:write' });
    expect(dpopChallenge(algs, error)).toContain('error="insufficient_scope"');
    expect(dpopChallenge(algs, error)).toContain('scope="orders:write"');
  });

  it('E25: a description cannot break out of its quoted-string', () => {
    const error = new BindingError(FailureType.MalformedProof, 'bad "value"\\ \r\n injected: x');
    expect(dpopChallenge(algs, error)).toContain('error_description="bad value  injected: x"');
  });
});
