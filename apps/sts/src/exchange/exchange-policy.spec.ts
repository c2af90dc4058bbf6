import { describe, expect, it } from '@jest/globals';
import { ACCESS_TOKEN_TYPE, FailureType, JWT_TOKEN_TYPE } from '#binding/core';
import { expectBindingError } from '../../../../libs/binding/test-support/expect-binding-error.js';
import { authorizeExchange, checkSubjectTokenType, DEFAULT_EXCHANGE_POLICY, narrowScope, parseExchangePolicy } from './exchange-policy.js';

const EDGE = 'spiffe://estate.local/edge';
const ORDERS = 'spiffe://estate.local/orders';
const INVENTORY = 'spiffe://estate.local/inventory';
const STS = 'spiffe://estate.local/sts';
const options = { trustDomain: 'estate.local', edge: EDGE, sts: STS };
const policy = parseExchangePolicy(DEFAULT_EXCHANGE_POLICY, options);

describe('exchange policy: who may obtain what', () => {
  it('H11: the estate policy: edge -> orders and orders -> inventory, each with its ceiling', () => {
    expect(authorizeExchange(policy, EDGE, ORDERS)).toEqual(['orders:read', 'orders:write']);
    expect(authorizeExchange(policy, ORDERS, INVENTORY)).toEqual(['orders:read', 'orders:write']);
  });

  it('H11, RFC 8693 §2.2.2: an audience outside the policy is invalid_target (edge -> inventory, orders -> payments)', () => {
    expectBindingError(() => authorizeExchange(policy, EDGE, INVENTORY), FailureType.ExchangeInvalidTarget, 'invalid_target');
    expectBindingError(() => authorizeExchange(policy, ORDERS, 'spiffe://estate.local/payments'), FailureType.ExchangeInvalidTarget, 'invalid_target');
  });

  it('H11, RFC 6749 §5.2: a caller the policy does not list is unauthorized_client (inventory calls nobody)', () => {
    expectBindingError(() => authorizeExchange(policy, INVENTORY, ORDERS), FailureType.ExchangeNotAllowed, 'unauthorized_client');
  });

  it('H10/H13: only the edge may present the external issuer\'s DPoP-bound token; from orders it is refused (confirmation_method; the exchange answers invalid_request)', () => {
    expectBindingError(() => checkSubjectTokenType(policy, ORDERS, ACCESS_TOKEN_TYPE), FailureType.ConfirmationMethod, 'invalid_token');
    expectBindingError(() => checkSubjectTokenType(policy, INVENTORY, ACCESS_TOKEN_TYPE), FailureType.ConfirmationMethod, 'invalid_token');
  });

  it('H10: the edge presenting the external token, and any caller presenting an internal one, pass', () => {
    expect(() => checkSubjectTokenType(policy, EDGE, ACCESS_TOKEN_TYPE)).not.toThrow();
    expect(() => checkSubjectTokenType(policy, ORDERS, JWT_TOKEN_TYPE)).not.toThrow();
    expect(() => checkSubjectTokenType(policy, EDGE, JWT_TOKEN_TYPE)).not.toThrow();
  });

  it('a policy is validated at start-up: SPIFFE IDs of the trust domain, scope-tokens, no self or STS audience', () => {
    expect(() => parseExchangePolicy({ 'https://edge': { [ORDERS]: ['a'] } }, options)).toThrow(/caller/);
    expect(() => parseExchangePolicy({ [EDGE]: { 'spiffe://other.domain/orders': ['a'] } }, options)).toThrow(/audience/);
    expect(() => parseExchangePolicy({ [EDGE]: { [ORDERS]: [] } }, options)).toThrow(/non-empty list/);
    expect(() => parseExchangePolicy({ [EDGE]: { [ORDERS]: ['bad scope'] } }, options)).toThrow(/scope-tokens/);
    expect(() => parseExchangePolicy({ [EDGE]: { [EDGE]: ['a'] } }, options)).toThrow(/may not obtain/);
    expect(() => parseExchangePolicy({ [EDGE]: { [STS]: ['a'] } }, options)).toThrow(/may not obtain/);
    expect(() => parseExchangePolicy([], options)).toThrow(/JSON object/);
  });
});

describe('scope narrowing: never wider than the subject token nor the ceiling', () => {
  const ceiling = ['orders:read', 'orders:write'];

  it('a request naming no scope gets what both allow', () => {
    expect(narrowScope([], 'orders:read orders:write profile', ceiling)).toEqual(['orders:read', 'orders:write']);
    expect(narrowScope([], 'orders:read', ceiling)).toEqual(['orders:read']);
  });

  it('a request naming scopes gets exactly those (least privilege per call)', () => {
    expect(narrowScope(['orders:write'], 'orders:read orders:write', ceiling)).toEqual(['orders:write']);
  });

  it('RFC 6749 §5.2 invalid_scope: more than the subject token holds', () => {
    expectBindingError(() => narrowScope(['orders:write'], 'orders:read', ceiling), FailureType.ExchangeInvalidScope, 'invalid_scope');
  });

  it('invalid_scope: more than the policy allows this caller there, even if the subject token holds it', () => {
    expectBindingError(() => narrowScope(['profile'], 'orders:read profile', ceiling), FailureType.ExchangeInvalidScope, 'invalid_scope');
  });

  it('invalid_scope: nothing left to grant (a token authorising nothing is not issued)', () => {
    expectBindingError(() => narrowScope([], 'profile', ceiling), FailureType.ExchangeInvalidScope, 'invalid_scope');
    expectBindingError(() => narrowScope([], undefined, ceiling), FailureType.ExchangeInvalidScope, 'invalid_scope');
  });

  it('scope comparison is exact: orders:write-all is not orders:write', () => {
    expectBindingError(() => narrowScope(['orders:write'], 'orders:write-all', ceiling), FailureType.ExchangeInvalidScope, 'invalid_scope');
  });
});
