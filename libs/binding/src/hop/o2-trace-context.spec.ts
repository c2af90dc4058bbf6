import { beforeAll, describe, expect, it } from '@jest/globals';
import { expectBindingError } from '../../test-support/expect-binding-error.js';
import { createCertificateAuthority, issueCertificate, type Authority } from '../../test-support/pki.js';
import { FailureType, toHopMapping } from '../errors/failure-type.js';
import { checkOtherTokenHashes, otherTokenHashes } from './check-other-token-hashes.js';
import { createEstate, INVENTORY, ORDERS, PAYLOAD, SUBJECT, type Credential, type Estate } from './hop-fixtures.spec-helper.js';
import type { HopRequest } from './verify-hop-proof.js';

// O2: the W3C trace context travels in NATS headers, covered by the hop proof's `oth` claim
// (WIMSE WPT "other token hashes"), so a message whose traceparent was changed, added or removed
// after signing is refused like any other mismatch, and one without trace context still passes.

const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const SPLICED = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

let ca: Authority;
let orders: Credential;
let estate: Estate;

beforeAll(async () => {
  ca = await createCertificateAuthority();
  orders = { ...(await issueCertificate(ca, { commonName: 'orders', spiffeId: ORDERS, usage: 'client' })), spiffeId: ORDERS };
  estate = await createEstate(ca.certificatePem);
});

/** A call from orders to inventory signed over `signed`, carrying `sent` as its covered headers. */
async function call(signed: Record<string, string> | undefined, sent: Record<string, string[]> | undefined): Promise<HopRequest> {
  const token = await estate.mintToken(orders);
  const proof = await estate.signer(orders).sign({ audience: INVENTORY, subject: SUBJECT, token, payload: PAYLOAD, otherTokens: signed });
  return { subject: SUBJECT, headers: { token: [token], proof: [proof] }, payload: PAYLOAD, ...(sent === undefined ? {} : { covered: sent }) };
}

describe('O2: the hop proof covers the trace context (oth)', () => {
  it('O2: a traceparent and tracestate sent as signed pass; the verified call is unchanged', async () => {
    const headers = { traceparent: TRACEPARENT, tracestate: 'estate=1' };
    const result = await estate.verifier.verify(await call(headers, { traceparent: [TRACEPARENT], tracestate: ['estate=1'] }));
    expect(result.caller).toBe(ORDERS);
  });

  it('O2: a message without trace context and a proof without oth passes', async () => {
    await expect(estate.verifier.verify(await call(undefined, {}))).resolves.toMatchObject({ caller: ORDERS });
    await expect(estate.verifier.verify(await call(undefined, undefined))).resolves.toMatchObject({ caller: ORDERS });
  });

  it('O2: a traceparent changed after signing is refused (trace_context_mismatch; invalid_token at the hop)', async () => {
    const error = await expectBindingError(estate.verifier.verify(await call({ traceparent: TRACEPARENT }, { traceparent: [SPLICED] })), FailureType.TraceContextMismatch, 'invalid_dpop_proof');
    expect(error.message).not.toContain(TRACEPARENT);
  });

  it('O2: a traceparent added to a message signed without one is refused', async () => {
    await expectBindingError(estate.verifier.verify(await call(undefined, { traceparent: [SPLICED] })), FailureType.TraceContextMismatch, 'invalid_dpop_proof');
  });

  it('O2: a traceparent removed after signing is refused', async () => {
    await expectBindingError(estate.verifier.verify(await call({ traceparent: TRACEPARENT }, {})), FailureType.TraceContextMismatch, 'invalid_dpop_proof');
  });

  it('O2: a tracestate changed after signing, or two traceparent headers, are refused', async () => {
    const signed = { traceparent: TRACEPARENT, tracestate: 'estate=1' };
    await expectBindingError(estate.verifier.verify(await call(signed, { traceparent: [TRACEPARENT], tracestate: ['estate=2'] })), FailureType.TraceContextMismatch, 'invalid_dpop_proof');
    await expectBindingError(estate.verifier.verify(await call({ traceparent: TRACEPARENT }, { traceparent: [TRACEPARENT, TRACEPARENT] })), FailureType.TraceContextMismatch, 'invalid_dpop_proof');
  });

  it('O2: checked before the replay claim, so a refused message does not burn its jti', async () => {
    const request = await call({ traceparent: TRACEPARENT }, { traceparent: [SPLICED] });
    await expectBindingError(estate.verifier.verify(request), FailureType.TraceContextMismatch, 'invalid_dpop_proof');
    await expect(estate.verifier.verify({ ...request, covered: { traceparent: [TRACEPARENT] } })).resolves.toMatchObject({ caller: ORDERS });
  });
});

describe('checkOtherTokenHashes', () => {
  it('O2: an oth member this receiver does not check is refused; the matching map passes', () => {
    expect(() => checkOtherTokenHashes({ ...otherTokenHashes({ traceparent: TRACEPARENT }), baggage: 'x' }, { traceparent: [TRACEPARENT] })).toThrow(
      expect.objectContaining({ type: FailureType.TraceContextMismatch }),
    );
    expect(() => checkOtherTokenHashes(otherTokenHashes({ traceparent: TRACEPARENT }), { traceparent: [TRACEPARENT] })).not.toThrow();
    expect(toHopMapping(FailureType.TraceContextMismatch).code).toBe('invalid_token');
  });

  it('otherTokenHashes refuses a header it cannot cover (a caller mistake) and is undefined for none', () => {
    expect(() => otherTokenHashes({ 'hop-token': 'x' })).toThrow(TypeError);
    expect(otherTokenHashes({})).toBeUndefined();
  });
});
