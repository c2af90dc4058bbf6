import { describe, expect, it } from '@jest/globals';
import { FailureType } from '../errors/failure-type.js';
import { DEFAULT_MAX_PROOF_LENGTH, parseAuthorization } from './parse-authorization.js';
import { thrownBy } from './proof-client.fixture.js';
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
      expect(thrownBy(() => parseAuthorization([value], [PROOF]))).toMatchObject({
        type: FailureType.MalformedAuthorization,
        code: 'invalid_request',
      });
    }
  });

  it('E1, E22: no Authorization at all is MissingCredentials: a challenge without error (RFC 6750 §3.1)', () => {
    for (const authorization of [undefined, []]) {
      expect(thrownBy(() => parseAuthorization(authorization, undefined))).toMatchObject({
        type: FailureType.MissingCredentials,
        code: 'invalid_token',
        status: 401,
      });
    }
  });

  it('E1: another scheme is "an unsupported authentication method": MissingCredentials', () => {
    expect(thrownBy(() => parseAuthorization(['Basic YWxpY2U6c2VjcmV0'], undefined))).toMatchObject({
      type: FailureType.MissingCredentials,
      code: 'invalid_token',
    });
  });

  it('E5: a DPoP proof without a DPoP access token is invalid_request', () => {
    for (const authorization of [undefined, ['Basic YWxpY2U6c2VjcmV0']]) {
      expect(thrownBy(() => parseAuthorization(authorization, [PROOF]))).toMatchObject({
        type: FailureType.MalformedAuthorization,
        code: 'invalid_request',
      });
    }
  });

  it('E2: two Authorization header lines are invalid_request, whatever their schemes', () => {
    const values = [`DPoP ${TOKEN}`, `Bearer ${TOKEN}`];
    expect(thrownBy(() => parseAuthorization(values, [PROOF]))).toMatchObject({
      type: FailureType.MultipleAuthorization,
      code: 'invalid_request',
    });
    expect(parseAuthorization([values[0] as string], [PROOF]).scheme).toBe('dpop');
  });

  it('E3: two DPoP header lines are invalid_request (RFC 9449 §4.3 (1))', () => {
    expect(thrownBy(() => parseAuthorization([`DPoP ${TOKEN}`], [PROOF, PROOF]))).toMatchObject({
      type: FailureType.MultipleProofs,
      code: 'invalid_request',
    });
  });

  it('E3: a DPoP value with a comma (two proofs folded into one line) fails', () => {
    expect(thrownBy(() => parseAuthorization([`DPoP ${TOKEN}`], [`${PROOF},${PROOF}`]))).toMatchObject({
      type: FailureType.MultipleProofs,
      code: 'invalid_request',
    });
  });

  it('E3, E4: a DPoP value with whitespace or outside token68 fails', () => {
    for (const proof of [`${PROOF} ${PROOF}`, `${PROOF}\t`, '', '{"protected":"x"}', `${PROOF}=x`]) {
      expect(thrownBy(() => parseAuthorization([`DPoP ${TOKEN}`], [proof]))).toMatchObject({
        type: FailureType.MalformedProof,
        code: 'invalid_dpop_proof',
      });
    }
  });

  it('E4: a proof over the size cap fails before its syntax is even looked at', () => {
    const atCap = 'a'.repeat(DEFAULT_MAX_PROOF_LENGTH);
    expect(parseAuthorization([`DPoP ${TOKEN}`], [atCap]).proof).toBe(atCap);
    expect(thrownBy(() => parseAuthorization([`DPoP ${TOKEN}`], [`${atCap}!`]))).toMatchObject({
      type: FailureType.ProofTooLarge,
      code: 'invalid_dpop_proof',
    });
    expect(thrownBy(() => parseAuthorization([`DPoP ${TOKEN}`], ['a'.repeat(101)], 100))).toMatchObject({
      type: FailureType.ProofTooLarge,
      code: 'invalid_dpop_proof',
    });
  });

  it('E5: the DPoP scheme without a DPoP header is invalid_request', () => {
    for (const dpop of [undefined, []]) {
      expect(thrownBy(() => parseAuthorization([`DPoP ${TOKEN}`], dpop))).toMatchObject({
        type: FailureType.MissingProof,
        code: 'invalid_request',
      });
    }
  });

  it('E5: the Bearer scheme with a DPoP header is ambiguous: invalid_request (RFC 9449 §7.2)', () => {
    expect(thrownBy(() => parseAuthorization([`Bearer ${TOKEN}`], [PROOF]))).toMatchObject({
      type: FailureType.MultipleCredentialMechanisms,
      code: 'invalid_request',
    });
    expect(parseAuthorization([`Bearer ${TOKEN}`], undefined).scheme).toBe('bearer');
  });

  it('E25: no description repeats the token or the proof', () => {
    const failures = [
      thrownBy(() => parseAuthorization([`DPoP ${TOKEN} x`], [PROOF])),
      thrownBy(() => parseAuthorization([`Bearer ${TOKEN}`], [PROOF])),
      thrownBy(() => parseAuthorization([`DPoP ${TOKEN}`], [`${PROOF} x`])),
    ];
    for (const failure of failures) {
      expect((failure as Error).message).not.toContain(TOKEN);
      expect((failure as Error).message).not.toContain(PROOF);
    }
  });
});
