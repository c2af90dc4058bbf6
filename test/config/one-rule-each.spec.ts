import { describe, expect, it } from '@jest/globals';
import { ACCESS_TOKEN_TYPE, BindingConfigError, FailureType, integerRangeProblem, MAX_IAT_WINDOW_S, SubjectToken } from '#binding/core';
import { createOutboundClient } from '#binding/hop';
import { Bound } from '#binding/nest';
import { integerVariable, parseEnvironment, variable } from '#estate';
import { mobileOptions, MobileOptionsError } from '#mobile';
import { z } from 'zod';
import { loadEdgeConfig } from '../../apps/edge/src/edge-config.js';
import { alternativeNames } from '../../certs/subject-alternative-names.js';
import { provisionReplayBucket } from '../../scripts/nats/provision-replay-bucket.js';
import { parseExchangePolicy } from '../../apps/sts/src/exchange/exchange-policy.js';
import { parseExchangeRequest } from '../../apps/sts/src/exchange/exchange-request.js';
import { INVALID_SPIFFE_IDS, VALID_SPIFFE_IDS } from '../../libs/binding/src/mtls/spiffe-id.fixture.js';

// Issue 13 "each rule once": every place that checks a SPIFFE ID, a scope or an integer range now
// goes through libs/binding's one rule. Each place is driven here with the cases on which the old
// copies disagreed, both sides: what the spec allows passes everywhere, what it forbids fails
// everywhere. (The rules themselves are unit-tested in libs/binding: spiffe-id.spec.ts,
// scope-token.spec.ts, integer-range.spec.ts.)

const short = (id: string) => (id.length > 70 ? `${id.slice(0, 40)}… (${id.length} characters)` : id);
const valid = VALID_SPIFFE_IDS.map((id) => [short(id), id] as const);
const invalid = INVALID_SPIFFE_IDS.map(([id, formerly]) => [short(id), formerly, id] as const);

// A refused call never reaches the transport: it fails the test if anything does.
const transport = { request: async (): Promise<never> => { throw new Error('nothing may be sent'); } };
const signer = { certificateThumbprint: 'x', sign: async () => 'proof' };
const outbound = createOutboundClient({ transport, signer, stsAudience: 'spiffe://estate.local/sts' });
const subjectToken = new SubjectToken('a.b.c', ACCESS_TOKEN_TYPE, 2_000_000_000);
const policyOptions = { trustDomain: 'estate.local', edge: 'spiffe://estate.local/edge', sts: 'spiffe://estate.local/sts' };

describe('one SPIFFE ID rule: @Bound callers, the outbound client, certificate generation, the STS policy', () => {
  it.each(valid)('H11, H5, H3: %s is accepted everywhere', (_name, id) => {
    expect(() => Bound({ confirmation: 'mtls', callers: [id] })).not.toThrow();
    expect(() => createOutboundClient({ transport, signer, stsAudience: id })).not.toThrow();
    expect(alternativeNames({ usage: 'client', spiffeId: id })).toEqual([{ type: 'url', value: id }]);
    if (id.startsWith('spiffe://estate.local/')) {
      expect(parseExchangePolicy({ 'spiffe://estate.local/edge': { [id]: ['orders:read'] } }, policyOptions).grants.get('spiffe://estate.local/edge')?.has(id)).toBe(true);
    }
  });

  it.each(invalid)('H11, H5, H3: %s is refused everywhere (formerly accepted by: %s)', async (_name, _formerly, id) => {
    expect(() => Bound({ confirmation: 'mtls', callers: [id] })).toThrow(BindingConfigError);
    expect(() => createOutboundClient({ transport, signer, stsAudience: id })).toThrow(BindingConfigError);
    await expect(outbound.call({ audience: id, subject: 'orders.create', payload: {}, subjectToken, scope: 'orders:write' })).rejects.toThrow(BindingConfigError);
    expect(() => alternativeNames({ usage: 'client', spiffeId: id })).toThrow(/not a SPIFFE ID/);
    expect(() => parseExchangePolicy({ 'spiffe://estate.local/edge': { [id]: ['orders:read'] } }, policyOptions)).toThrow(/is not a SPIFFE ID of estate\.local: it /);
    expect(() => parseExchangePolicy({ [id]: { 'spiffe://estate.local/orders': ['orders:read'] } }, policyOptions)).toThrow(/is not a SPIFFE ID of estate\.local: it /);
  });
});

describe('one scope grammar: @Bound, the outbound client, the STS request and policy, the configuration, the mobile client', () => {
  const scopeSchema = z.object({ SCOPE: variable.scopes('orders:read') });
  const exchange = (scope: string) => parseExchangeRequest({
    grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', subject_token: 'a.b.c', subject_token_type: ACCESS_TOKEN_TYPE,
    audience: 'spiffe://estate.local/orders', scope,
  });

  it('E22, H11: space-delimited scope-tokens (extra spaces tolerated) are accepted everywhere, each token once', () => {
    expect(() => Bound({ confirmation: 'dpop', scopes: ['orders:read', 'orders:write'] })).not.toThrow();
    expect(exchange(' orders:read  orders:write orders:read').scope).toEqual(['orders:read', 'orders:write']);
    expect(parseExchangePolicy({ 'spiffe://estate.local/edge': { 'spiffe://estate.local/orders': ['orders:read', '!#[]~'] } }, policyOptions)).toBeDefined();
    expect(parseEnvironment(scopeSchema, { SCOPE: 'orders:read  orders:write orders:read' }).SCOPE).toEqual(['orders:read', 'orders:write']);
    expect(mobileOptions({ scope: ' orders:read  orders:write ' }).scope).toBe('orders:read orders:write');
  });

  it('E22, H11: a tab or a line break is no delimiter: the environment schema took any whitespace, the mobile client anything at all', () => {
    for (const scope of ['orders:read\torders:write', 'orders:read\norders:write']) {
      expect(() => parseEnvironment(scopeSchema, { SCOPE: scope })).toThrow('SCOPE: holds a character RFC 6749 §3.3 does not allow in a scope');
      expect(() => mobileOptions({ scope })).toThrow(new MobileOptionsError('scope', 'holds a character RFC 6749 §3.3 does not allow in a scope'));
      expect(() => exchange(scope)).toThrow(expect.objectContaining({ type: FailureType.ExchangeInvalidScope }));
      expect(() => Bound({ confirmation: 'dpop', scopes: [scope] })).toThrow(BindingConfigError);
    }
  });

  it('E22, H11: a quote or a backslash is no scope-token anywhere', async () => {
    for (const scope of ['orders:"write"', 'orders\\write']) {
      expect(() => parseEnvironment(scopeSchema, { SCOPE: scope })).toThrow(/^SCOPE: holds a character/);
      expect(() => mobileOptions({ scope })).toThrow(MobileOptionsError);
      expect(() => exchange(scope)).toThrow(expect.objectContaining({ type: FailureType.ExchangeInvalidScope }));
      expect(() => Bound({ confirmation: 'dpop', scopes: [scope] })).toThrow(BindingConfigError);
      expect(() => parseExchangePolicy({ 'spiffe://estate.local/edge': { 'spiffe://estate.local/orders': [scope] } }, policyOptions)).toThrow(/scope-tokens/);
      await expect(outbound.call({ audience: 'spiffe://estate.local/orders', subject: 'orders.create', payload: {}, subjectToken, scope })).rejects.toThrow(BindingConfigError);
    }
  });
});

describe('one integer-range rule: the library\'s options and the environment say the same thing', () => {
  it('an option and a variable out of range are refused with one message format, naming the range and the value', () => {
    expect(() => createOutboundClient({ transport, signer, stsAudience: 'spiffe://estate.local/sts', timeoutMs: 0 })).toThrow(
      new BindingConfigError(`outbound client: timeoutMs (milliseconds) ${integerRangeProblem(0, 1, 120_000)}`),
    );
    expect(() => integerVariable({ PORT: '0' }, 'PORT', 3000, 1, 65535)).toThrow(`PORT: ${integerRangeProblem(0, 1, 65535, '"0"')}`);
    expect(() => mobileOptions({ loginTimeoutMs: 0 })).toThrow(new MobileOptionsError('loginTimeoutMs', 'must be an integer of at least 1, got 0'));
    expect(integerVariable({ PORT: '65535' }, 'PORT', 3000, 1, 65535)).toBe(65535);
    expect(mobileOptions({ loginTimeoutMs: 1 }).loginTimeoutMs).toBe(1);
  });
});

describe('one MAX_IAT_WINDOW_S: the edge\'s variables and the replay bucket use the verifiers\' bound', () => {
  const edge = { AUTH_ISSUER: 'http://127.0.0.1:4000' };

  it('E16: DPOP_IAT_PAST_S and DPOP_IAT_FUTURE_S go up to MAX_IAT_WINDOW_S, one more is refused', () => {
    expect(loadEdgeConfig({ ...edge, DPOP_IAT_PAST_S: String(MAX_IAT_WINDOW_S), DPOP_IAT_FUTURE_S: String(MAX_IAT_WINDOW_S) })).toMatchObject({ iatPastSeconds: 600, iatFutureSeconds: 600 });
    expect(() => loadEdgeConfig({ ...edge, DPOP_IAT_PAST_S: '601' })).toThrow('DPOP_IAT_PAST_S: must be an integer from 1 to 600, got "601"');
    expect(() => loadEdgeConfig({ ...edge, DPOP_IAT_FUTURE_S: '601' })).toThrow('DPOP_IAT_FUTURE_S: must be an integer from 0 to 600, got "601"');
  });

  it('E17, H6: a replay bucket holds at most the widest window, past + future (it took up to 3600 s before)', async () => {
    // Refused before the connection is used: none is given.
    await expect(provisionReplayBucket({} as never, { bucket: 'edge', windowSeconds: 2 * MAX_IAT_WINDOW_S + 1 })).rejects.toThrow(
      new TypeError('windowSeconds must be an integer from 1 to 1200, got 1201'),
    );
  });
});
