import { beforeAll, describe, expect, it } from '@jest/globals';
import { expectBindingError } from '../../test-support/expect-binding-error.js';
import { createCertificateAuthority, issueCertificate, type Authority } from '../../test-support/pki.js';
import { BindingConfigError, BindingError } from '../errors/binding-error.js';
import { FailureType, toHopMapping } from '../errors/failure-type.js';
import {
  createEstate,
  EDGE,
  INVENTORY,
  ORDERS,
  PAYLOAD,
  SUBJECT,
  type Credential,
  type Estate,
} from './hop-fixtures.spec-helper.js';
import type { HopRequest } from './verify-hop-proof.js';

// The handler's @Bound policy at a hop: callers, scopes (H11, E22) and the audience it names.
// Tokens from the fixture's STS grant `inventory:reserve` unless told otherwise.

let ca: Authority;
let orders: Credential;

beforeAll(async () => {
  ca = await createCertificateAuthority();
  const spiffeId = ORDERS;
  orders = { ...(await issueCertificate(ca, { commonName: 'orders', spiffeId, usage: 'client' })), spiffeId };
});

/** A fresh estate (own replay store) and one bound request from orders. */
async function setup(tokenClaims: Record<string, unknown> = {}): Promise<{ estate: Estate; request: HopRequest }> {
  const estate = await createEstate(ca.certificatePem);
  const token = await estate.mintToken(orders, tokenClaims);
  const proof = await estate.signer(orders).sign({ audience: INVENTORY, subject: SUBJECT, token, payload: PAYLOAD });
  return { estate, request: { subject: SUBJECT, headers: { token: [token], proof: [proof] }, payload: PAYLOAD } };
}

describe('createHopVerifier: the handler policy', () => {
  it('H11, E22: a scope the token lacks is refused 403 insufficient_scope, naming every scope required', async () => {
    const { estate, request } = await setup();
    const needed = { ...request, policy: { scopes: ['inventory:reserve', 'inventory:release'] } };
    const error = await expectBindingError(estate.verifier.verify(needed), FailureType.InsufficientScope, 'insufficient_scope');
    expect(error).toMatchObject({ status: 403, scope: 'inventory:reserve inventory:release' });
    expect(toHopMapping(error.type)).toEqual({ code: 'insufficient_scope', status: 403 });
  });

  it('H11: a token without scope, or with a longer scope of the same prefix, fails a handler requiring one', async () => {
    const unscoped = await setup({ scope: undefined });
    const policy = { scopes: ['inventory:reserve'] };
    await expectBindingError(unscoped.estate.verifier.verify({ ...unscoped.request, policy }), FailureType.InsufficientScope, 'insufficient_scope');
    const longer = await setup({ scope: 'inventory:reserve-all' });
    await expectBindingError(longer.estate.verifier.verify({ ...longer.request, policy }), FailureType.InsufficientScope, 'insufficient_scope');
  });

  it('H11: the scopes the token grants pass, as does a handler requiring none', async () => {
    const granted = await setup({ scope: 'inventory:release inventory:reserve' });
    const policy = { scopes: ['inventory:reserve', 'inventory:release'] };
    await expect(granted.estate.verifier.verify({ ...granted.request, policy })).resolves.toMatchObject({ caller: ORDERS });
    const none = await setup();
    await expect(none.estate.verifier.verify({ ...none.request, policy: { scopes: [] } })).resolves.toMatchObject({ caller: ORDERS });
  });

  it('H11: the caller is checked before the scope, and the scope before revocation (H12)', async () => {
    const { estate, request } = await setup();
    const policy = { callers: [EDGE], scopes: ['inventory:release'] };
    await expectBindingError(estate.verifier.verify({ ...request, policy }), FailureType.CallerNotAllowed, 'insufficient_scope');
    estate.revocations.apply({ kind: 'sub', value: 'alice', until: estate.now + 30 });
    await expectBindingError(estate.verifier.verify({ ...request, policy: { scopes: ['inventory:release'] } }), FailureType.InsufficientScope, 'insufficient_scope');
  });

  it('H6, H11: a scope refusal does not burn the jti: the same proof then passes once', async () => {
    const { estate, request } = await setup();
    await expectBindingError(estate.verifier.verify({ ...request, policy: { scopes: ['inventory:release'] } }), FailureType.InsufficientScope, 'insufficient_scope');
    await expect(estate.verifier.verify({ ...request, policy: { scopes: ['inventory:reserve'] } })).resolves.toMatchObject({ caller: ORDERS });
    await expectBindingError(estate.verifier.verify(request), FailureType.ProofReplayed, 'invalid_dpop_proof');
  });

  it('H9: a policy naming this service passes; one naming another service is a configuration error that burns nothing', async () => {
    const { estate, request } = await setup();
    const error = await estate.verifier.verify({ ...request, policy: { audience: ORDERS } }).then(() => undefined, (reason: unknown) => reason);
    expect(error).toBeInstanceOf(BindingConfigError);
    expect(error).not.toBeInstanceOf(BindingError);
    await expect(estate.verifier.verify({ ...request, policy: { audience: INVENTORY } })).resolves.toMatchObject({ caller: ORDERS });
  });

  it('H11: a required scope that is not an RFC 6749 scope-token is a configuration error', async () => {
    const { estate, request } = await setup();
    await expect(estate.verifier.verify({ ...request, policy: { scopes: ['two words'] } })).rejects.toThrow(BindingConfigError);
  });
});
