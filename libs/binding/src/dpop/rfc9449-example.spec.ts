import { describe, expect, it } from '@jest/globals';
import { expectBindingError } from '../../test-support/expect-binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import { checkAth } from '../token/check-ath.js';
import { checkHtm } from './check-htm.js';
import { checkHtu } from './check-htu.js';
import { checkProofTime, resolveProofTimeWindow } from './check-proof-time.js';
import { splitCompactJws } from '../pop/compact-jws.js';
import { DPOP_PROFILE } from './parse-proof-header.js';
import { createEffectiveUriResolver } from './effective-uri.js';
import { parseAuthorization } from './parse-authorization.js';
import { parseProofClaims } from './parse-proof-claims.js';
import { ProofKeyCache } from './proof-key-cache.js';
import { RFC9449_JKT, RFC9449_RESOURCE_REQUEST as EXAMPLE } from './rfc-examples.fixture.js';
import { verifyProofSignature } from './verify-proof-signature.js';

/**
 * The protected resource request of RFC 9449 §7.1, taken through every proof step the edge runs,
 * at the time it was made. Its token is opaque, so the token steps (E18, E20) are not run here:
 * the example only says the token is bound to the key whose thumbprint §6.1 prints.
 */
describe('RFC 9449 §7.1 example request', () => {
  const window = resolveProofTimeWindow(60, 10);

  async function proofClaimsOfExample() {
    const credentials = parseAuthorization([EXAMPLE.authorization], [EXAMPLE.proof]);
    const proofKey = await new ProofKeyCache(['ES256']).resolve(splitCompactJws(credentials.proof as string, DPOP_PROFILE).header);
    const payload = await verifyProofSignature(credentials.proof as string, proofKey);
    return { credentials, proofKey, claims: parseProofClaims(payload, { maxJtiLength: 256, requireAth: true }) };
  }

  it('E1-E19: passes framing, syntax, signature, htm, htu, iat and ath at its own time', async () => {
    const { credentials, proofKey, claims } = await proofClaimsOfExample();
    const effectiveUri = createEffectiveUriResolver({ origins: [EXAMPLE.origin] })({ target: EXAMPLE.target, host: [EXAMPLE.host] });
    expect(effectiveUri).toBe('https://resource.example.org/protectedresource');
    expect(proofKey.jkt).toBe(RFC9449_JKT);
    expect(() => {
      checkHtm(claims.htm, EXAMPLE.method);
      checkHtu(claims.htu, effectiveUri);
      checkProofTime(claims, EXAMPLE.iat, window);
      checkAth(claims.ath, credentials.token);
    }).not.toThrow();
  });

  it('E16: the same example is stale today', async () => {
    const { claims } = await proofClaimsOfExample();
    expectBindingError(() => checkProofTime(claims, EXAMPLE.iat + 61, window), FailureType.ProofNotFresh, 'invalid_dpop_proof');
  });

  it('E12, E13: the example proof does not fit another method or resource', async () => {
    const { claims } = await proofClaimsOfExample();
    expectBindingError(() => checkHtm(claims.htm, 'POST'), FailureType.HtmMismatch, 'invalid_dpop_proof');
    expectBindingError(() => checkHtu(claims.htu, 'https://resource.example.org/otherresource'), FailureType.HtuMismatch, 'invalid_dpop_proof');
  });
});
