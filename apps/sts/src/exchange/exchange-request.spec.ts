import { describe, expect, it } from '@jest/globals';
import { ACCESS_TOKEN_TYPE, FailureType, JWT_TOKEN_TYPE } from '#binding/core';
import { TOKEN_EXCHANGE_GRANT_TYPE } from '#binding/hop';
import { expectBindingError } from '../../../../libs/binding/test-support/expect-binding-error.js';
import { parseExchangeRequest } from './exchange-request.js';

const valid = {
  grant_type: TOKEN_EXCHANGE_GRANT_TYPE,
  subject_token: 'header.payload.signature',
  subject_token_type: ACCESS_TOKEN_TYPE,
  audience: 'spiffe://estate.local/orders',
  scope: 'orders:write orders:write',
};

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
    ['an audience list that is not strings', { ...valid, audience: ['spiffe://estate.local/orders', 7] }],
    ['one audience sent as a list', { ...valid, audience: ['spiffe://estate.local/orders'] }],
    ['a huge audience', { ...valid, audience: `spiffe://estate.local/${'a'.repeat(2_048)}` }],
    ['an actor_token', { ...valid, actor_token: 'x', actor_token_type: JWT_TOKEN_TYPE }],
    ['another requested_token_type', { ...valid, requested_token_type: 'urn:ietf:params:oauth:token-type:refresh_token' }],
  ])('H13, RFC 8693 §2.2.2 invalid_request: %s', (_name, payload) => {
    expect(expectBindingError(() => parseExchangeRequest(payload), FailureType.ExchangeInvalidRequest, 'invalid_request').status).toBe(400);
  });

  it('H13, RFC 8693 §2.2.2 invalid_target: a resource (this STS issues for no resource), whatever its value', () => {
    for (const resource of ['https://orders.estate.local', 'spiffe://estate.local/orders', '', ['https://a', 'https://b'], 7]) {
      expect(expectBindingError(() => parseExchangeRequest({ ...valid, resource }), FailureType.ExchangeInvalidTarget, 'invalid_target').status).toBe(400);
    }
  });

  it('H13, RFC 8693 §2.2.2 invalid_target: several audiences (well formed, but one token is issued for one callee only)', () => {
    const several = { ...valid, audience: ['spiffe://estate.local/orders', 'spiffe://estate.local/inventory'] };
    expect(expectBindingError(() => parseExchangeRequest(several), FailureType.ExchangeInvalidTarget, 'invalid_target').status).toBe(400);
  });

  it('H13: the same request naming its one target in audience, and no resource, passes', () => {
    expect(parseExchangeRequest({ ...valid, resource: undefined }).audience).toBe('spiffe://estate.local/orders');
  });

  it('invalid_scope: a scope that is not scope-tokens', () => {
    expectBindingError(() => parseExchangeRequest({ ...valid, scope: 'orders:"write"' }), FailureType.ExchangeInvalidScope, 'invalid_scope');
    expectBindingError(() => parseExchangeRequest({ ...valid, scope: ['orders:write'] }), FailureType.ExchangeInvalidScope, 'invalid_scope');
  });
});
