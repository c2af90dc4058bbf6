import { describe, expect, it } from '@jest/globals';
import { ACCESS_TOKEN_TYPE, BindingError, FailureType, JWT_TOKEN_TYPE, TOKEN_EXCHANGE_GRANT_TYPE } from '#binding';
import { ExchangeRefusal } from './exchange-refusal.js';
import { parseExchangeRequest } from './exchange-request.js';

const valid = {
  grant_type: TOKEN_EXCHANGE_GRANT_TYPE,
  subject_token: 'header.payload.signature',
  subject_token_type: ACCESS_TOKEN_TYPE,
  audience: 'spiffe://estate.local/orders',
  scope: 'orders:write orders:write',
};

function typeOf(payload: unknown): string | undefined {
  try {
    parseExchangeRequest(payload);
    return undefined;
  } catch (error) {
    return (error as BindingError).type;
  }
}

describe('RFC 8693 §2.1 request syntax', () => {
  it('a well-formed request passes, its scope deduplicated', () => {
    expect(parseExchangeRequest(valid)).toEqual({
      subjectToken: 'header.payload.signature',
      subjectTokenType: ACCESS_TOKEN_TYPE,
      audience: 'spiffe://estate.local/orders',
      scope: ['orders:write'],
    });
    expect(parseExchangeRequest({ ...valid, subject_token_type: JWT_TOKEN_TYPE, scope: undefined }).scope).toEqual([]);
    expect(parseExchangeRequest({ ...valid, requested_token_type: JWT_TOKEN_TYPE })).toBeDefined();
  });

  it.each([
    ['not an object', 'token'],
    ['another grant', { ...valid, grant_type: 'client_credentials' }],
    ['no subject_token', { ...valid, subject_token: undefined }],
    ['an empty subject_token', { ...valid, subject_token: '' }],
    ['a huge subject_token', { ...valid, subject_token: 'a'.repeat(16_385) }],
    ['an unsupported subject_token_type', { ...valid, subject_token_type: 'urn:ietf:params:oauth:token-type:id_token' }],
    ['no audience', { ...valid, audience: undefined }],
    ['several audiences', { ...valid, audience: ['spiffe://estate.local/orders', 'spiffe://estate.local/inventory'] }],
    ['an actor_token', { ...valid, actor_token: 'x', actor_token_type: JWT_TOKEN_TYPE }],
    ['a resource', { ...valid, resource: 'https://orders' }],
    ['another requested_token_type', { ...valid, requested_token_type: 'urn:ietf:params:oauth:token-type:refresh_token' }],
  ])('invalid_request: %s', (_name, payload) => {
    expect(typeOf(payload)).toBe(FailureType.ExchangeInvalidRequest);
  });

  it('invalid_scope: a scope that is not scope-tokens', () => {
    expect(typeOf({ ...valid, scope: 'orders:"write"' })).toBe(FailureType.ExchangeInvalidScope);
    expect(typeOf({ ...valid, scope: ['orders:write'] })).toBe(FailureType.ExchangeInvalidScope);
  });
});

describe('exchange refusals: the RFC error value depends on whose credential failed', () => {
  const error = (type: FailureType) => new BindingError(type, 'described');

  it('the caller\'s proof or certificate: invalid_client (401), the failure type kept', () => {
    expect(new ExchangeRefusal('caller', error(FailureType.CertificateUntrusted)).toReply()).toEqual({ code: 'invalid_client', type: 'certificate_untrusted', status: 401, message: 'described' });
    expect(new ExchangeRefusal('replay', error(FailureType.ProofReplayed)).toReply()).toMatchObject({ code: 'invalid_client', type: 'proof_replayed' });
  });

  it('the subject token: invalid_grant (400), whatever check failed (expired, audience, binding, revoked)', () => {
    for (const type of [FailureType.TokenExpired, FailureType.TokenAudience, FailureType.UnboundToken, FailureType.Revoked]) {
      expect(new ExchangeRefusal('subject', error(type)).toReply()).toMatchObject({ code: 'invalid_grant', type, status: 400 });
    }
  });

  it('the policy: unauthorized_client or invalid_target; the scope: invalid_scope; syntax: invalid_request', () => {
    expect(new ExchangeRefusal('policy', error(FailureType.ExchangeNotAllowed)).toReply()).toMatchObject({ code: 'unauthorized_client' });
    expect(new ExchangeRefusal('policy', error(FailureType.ExchangeInvalidTarget)).toReply()).toMatchObject({ code: 'invalid_target', status: 400 });
    expect(new ExchangeRefusal('scope', error(FailureType.ExchangeInvalidScope)).toReply()).toMatchObject({ code: 'invalid_scope', status: 400 });
    expect(new ExchangeRefusal('request', error(FailureType.ExchangeInvalidRequest)).toReply()).toMatchObject({ code: 'invalid_request', status: 400 });
  });

  it('a dependency that cannot answer is temporarily_unavailable (503) at any stage', () => {
    expect(new ExchangeRefusal('subject', error(FailureType.KeySetUnavailable)).toReply()).toMatchObject({ code: 'temporarily_unavailable', status: 503 });
    expect(new ExchangeRefusal('replay', error(FailureType.ReplayStoreUnavailable)).toReply()).toMatchObject({ code: 'temporarily_unavailable', status: 503 });
  });
});
