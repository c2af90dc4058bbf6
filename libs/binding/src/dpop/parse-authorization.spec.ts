import { describe, expect, it } from '@jest/globals';
import { expectBindingError } from '../../test-support/expect-binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import { DEFAULT_MAX_PROOF_LENGTH, parseAuthorization } from './parse-authorization.js';
import { RFC9449_RESOURCE_REQUEST } from './rfc-examples.fixture.js';

const TOKEN = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2ln';
const PROOF = 'eyJ0eXAiOiJkcG9wK2p3dCJ9.eyJqdGkiOiIxIn0.c2ln';

describe('parseAuthorization', () => {
  it('E1: reads the RFC 9449 §7.1 example request', () => {
    const { authorization, proof, accessToken } = RFC9449_RESOURCE_REQUEST;
    expect(parseAuthorization([authorization], [proof])).toEqual({ scheme: 'dpop', token: accessToken, proof });
  });

  it('E1: matches the scheme case-insensitively (RFC 9110 §11.1)', () => {
    for (const scheme of ['DPoP', 'dpop', 'DPOP', 'dPoP']) {
      expect(parseAuthorization([`${scheme} ${TOKEN}`], [PROOF])).toMatchObject({ scheme: 'dpop', token: TOKEN });
    }
    expect(parseAuthorization([`bEaReR ${TOKEN}`], undefined)).toEqual({ scheme: 'bearer', token: TOKEN, proof: undefined });
  });

  it('E1: accepts 1*SP between scheme and token68, padding included', () => {
    expect(parseAuthorization([`DPoP   ${TOKEN}==`], [PROOF]).token).toBe(`${TOKEN}==`);
  });

  it('E1: refuses a token that is not token68', () => {
    for (const value of ['DPoP', 'DPoP ', `DPoP ${TOKEN} extra`, `DPoP\t${TOKEN}`, 'DPoP a=b=c', 'DPoP ab,cd', 'DPoP "quoted"', ` ${TOKEN}`]) {
      expectBindingError(() => parseAuthorization([value], [PROOF]), FailureType.MalformedAuthorization, 'invalid_request');
    }
  });

  it('E1, E22: no Authorization at all is MissingCredentials: a challenge without error (RFC 6750 §3.1)', () => {
    for (const authorization of [undefined, []]) {
      expect(expectBindingError(() => parseAuthorization(authorization, undefined), FailureType.MissingCredentials, 'invalid_token').status).toBe(401);
    }
  });

  it('E1: another scheme is "an unsupported authentication method": MissingCredentials', () => {
    expectBindingError(() => parseAuthorization(['Basic YWxpY2U6c2VjcmV0'], undefined), FailureType.MissingCredentials, 'invalid_token');
  });

  it('E5: a DPoP proof without a DPoP access token is invalid_request', () => {
    for (const authorization of [undefined, ['Basic YWxpY2U6c2VjcmV0']]) {
      expectBindingError(() => parseAuthorization(authorization, [PROOF]), FailureType.MalformedAuthorization, 'invalid_request');
    }
  });

  it('E2: two Authorization header lines are invalid_request, whatever their schemes', () => {
    const values = [`DPoP ${TOKEN}`, `Bearer ${TOKEN}`];
    expectBindingError(() => parseAuthorization(values, [PROOF]), FailureType.MultipleAuthorization, 'invalid_request');
    expect(parseAuthorization([values[0] as string], [PROOF]).scheme).toBe('dpop');
  });

  it('E3: two DPoP header lines are invalid_request (RFC 9449 §4.3 (1))', () => {
    expectBindingError(() => parseAuthorization([`DPoP ${TOKEN}`], [PROOF, PROOF]), FailureType.MultipleProofs, 'invalid_request');
  });

  it('E3: a DPoP value with a comma (two proofs folded into one line) fails', () => {
    expectBindingError(() => parseAuthorization([`DPoP ${TOKEN}`], [`${PROOF},${PROOF}`]), FailureType.MultipleProofs, 'invalid_request');
  });

  it('E3, E4: a DPoP value with whitespace or outside token68 fails', () => {
    for (const proof of [`${PROOF} ${PROOF}`, `${PROOF}\t`, '', '{"protected":"x"}', `${PROOF}=x`]) {
      expectBindingError(() => parseAuthorization([`DPoP ${TOKEN}`], [proof]), FailureType.MalformedProof, 'invalid_dpop_proof');
    }
  });

  it('E4: a proof over the size cap fails before its syntax is even looked at', () => {
    const atCap = 'a'.repeat(DEFAULT_MAX_PROOF_LENGTH);
    expect(parseAuthorization([`DPoP ${TOKEN}`], [atCap]).proof).toBe(atCap);
    expectBindingError(() => parseAuthorization([`DPoP ${TOKEN}`], [`${atCap}!`]), FailureType.ProofTooLarge, 'invalid_dpop_proof');
    expectBindingError(() => parseAuthorization([`DPoP ${TOKEN}`], ['a'.repeat(101)], 100), FailureType.ProofTooLarge, 'invalid_dpop_proof');
  });

  it('E5: the DPoP scheme without a DPoP header is invalid_request', () => {
    for (const dpop of [undefined, []]) {
      expectBindingError(() => parseAuthorization([`DPoP ${TOKEN}`], dpop), FailureType.MissingProof, 'invalid_request');
    }
  });

  it('E5: the Bearer scheme with a DPoP header is ambiguous: invalid_request (RFC 9449 §7.2)', () => {
    expectBindingError(() => parseAuthorization([`Bearer ${TOKEN}`], [PROOF]), FailureType.MultipleCredentialMechanisms, 'invalid_request');
    expect(parseAuthorization([`Bearer ${TOKEN}`], undefined).scheme).toBe('bearer');
  });

  it('E25: no description repeats the token or the proof', () => {
    const failures = [
      expectBindingError(() => parseAuthorization([`DPoP ${TOKEN} x`], [PROOF]), FailureType.MalformedAuthorization, 'invalid_request'),
      expectBindingError(() => parseAuthorization([`Bearer ${TOKEN}`], [PROOF]), FailureType.MultipleCredentialMechanisms, 'invalid_request'),
      expectBindingError(() => parseAuthorization([`DPoP ${TOKEN}`], [`${PROOF} x`]), FailureType.MalformedProof, 'invalid_dpop_proof'),
    ];
    for (const failure of failures) {
      expect(failure.message).not.toContain(TOKEN);
      expect(failure.message).not.toContain(PROOF);
    }
  });
});
