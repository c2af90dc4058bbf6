import { describe, expect, it } from '@jest/globals';
import { BindingConfigError, BindingError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import { checkScope, grantedScopesOf } from './check-scope.js';

const insufficient = (scope: string) => expect.objectContaining({ type: FailureType.InsufficientScope, code: 'insufficient_scope', status: 403, scope });

describe('checkScope (E22, RFC 6750 §3.1, RFC 8693 §4.2)', () => {
  it('E22: a token granting every required scope passes, in any order, among others', () => {
    expect(() => checkScope({ scope: 'openid orders:write orders:read' }, ['orders:read', 'orders:write'])).not.toThrow();
  });

  it('E22: no required scope passes, with or without a scope claim', () => {
    expect(() => checkScope({}, [])).not.toThrow();
    expect(() => checkScope({ scope: 'orders:read' }, [])).not.toThrow();
  });

  it('E22: a missing scope is 403 insufficient_scope naming the whole required set', () => {
    expect(() => checkScope({ scope: 'orders:read' }, ['orders:read', 'orders:write'])).toThrow(insufficient('orders:read orders:write'));
  });

  it('E22: a token without a scope claim is insufficient when a scope is required', () => {
    expect(() => checkScope({}, ['orders:read'])).toThrow(insufficient('orders:read'));
    expect(() => checkScope({ scope: '' }, ['orders:read'])).toThrow(insufficient('orders:read'));
  });

  it('E22: scopes are compared exactly: no prefix, case or substring match', () => {
    for (const scope of ['orders', 'ORDERS:READ', 'orders:read:all', 'xorders:read', 'orders:readwrite']) {
      expect(() => checkScope({ scope }, ['orders:read'])).toThrow(insufficient('orders:read'));
    }
  });

  it('E22: the scope claim is space-delimited; other separators do not split it', () => {
    expect(() => checkScope({ scope: 'orders:write,orders:read' }, ['orders:read'])).toThrow(insufficient('orders:read'));
    expect(() => checkScope({ scope: 'a  orders:read ' }, ['orders:read'])).not.toThrow();
  });

  it('E22: a scope claim that is not a string fails TokenMalformed', () => {
    const error = (() => {
      try {
        checkScope({ scope: ['orders:read'] }, ['orders:read']);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(BindingError);
    expect(error).toMatchObject({ type: FailureType.TokenMalformed, code: 'invalid_token' });
  });

  it('E22: a required scope that is not an RFC 6749 scope-token is a policy mistake', () => {
    for (const bad of ['', 'orders read', 'quote"d', 'back\\slash']) {
      expect(() => checkScope({ scope: 'orders:read' }, [bad])).toThrow(BindingConfigError);
    }
  });

  it('E22: a caller\'s own list (not frozen) is checked on every call, so a later mistake in it is still caught', () => {
    const required = ['orders:read'];
    expect(() => checkScope({ scope: 'orders:read' }, required)).not.toThrow();
    required.push('orders read');
    expect(() => checkScope({ scope: 'orders:read' }, required)).toThrow(BindingConfigError);
    const declared = Object.freeze(['orders:read']);
    expect(() => checkScope({ scope: 'orders:read' }, declared)).not.toThrow();
    expect(() => checkScope({ scope: 'other' }, declared)).toThrow(insufficient('orders:read'));
  });
});

describe('grantedScopesOf: the token\'s scopes, parsed once per verified token (issue 13)', () => {
  it('E22: the scope claim split on spaces only, empty items dropped, in order; none without a claim', () => {
    expect(grantedScopesOf({ scope: ' orders:write  orders:read,x ' })).toEqual(['orders:write', 'orders:read,x']);
    expect(grantedScopesOf({})).toEqual([]);
    expect(Object.isFrozen(grantedScopesOf({ scope: 'a' }))).toBe(true);
  });

  it('E22: frozen claims (the verifier\'s, one object per token) are parsed once: the policy check and the principal share the list', () => {
    const claims = Object.freeze({ scope: 'orders:read orders:write' });
    expect(grantedScopesOf(claims)).toBe(grantedScopesOf(claims));
    expect(grantedScopesOf({ scope: 'a' })).not.toBe(grantedScopesOf({ scope: 'a' }));
  });

  it('E22: a scope claim that is not a string fails TokenMalformed here too', () => {
    expect(() => grantedScopesOf({ scope: 7 })).toThrow(expect.objectContaining({ type: FailureType.TokenMalformed, code: 'invalid_token' }));
  });
});
