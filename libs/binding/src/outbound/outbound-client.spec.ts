import { describe, expect, it } from '@jest/globals';
import { BindingConfigError } from '../errors/binding-error.js';
import { ACCESS_TOKEN_TYPE } from '../token/token-types.js';
import { SubjectToken } from '../token/subject-token.js';
import { createOutboundClient } from './outbound-client.js';

// Mistakes in a caller's code fail before anything is signed or sent: the transport below counts
// what reaches it, and nothing may. The calls themselves run in test/hops, over ClientNats.

const sent: unknown[] = [];
const transport = { request: async (request: unknown) => void sent.push(request) };
const signer = { certificateThumbprint: 'x', sign: async () => 'proof' };
const outbound = createOutboundClient({ transport, signer, stsAudience: 'spiffe://estate.local/sts' });
const subjectToken = new SubjectToken('a.b.c', ACCESS_TOKEN_TYPE, 2_000_000_000);
const call = { audience: 'spiffe://estate.local/orders', subject: 'orders.create', payload: {}, subjectToken, scope: 'orders:write' };

describe('createOutboundClient: the caller\'s own mistakes are configuration errors', () => {
  it('refuses a transport, signer or STS audience that cannot work', () => {
    expect(() => createOutboundClient({ transport: {} as never, signer, stsAudience: 'spiffe://estate.local/sts' })).toThrow(BindingConfigError);
    expect(() => createOutboundClient({ transport, signer: {} as never, stsAudience: 'spiffe://estate.local/sts' })).toThrow(BindingConfigError);
    expect(() => createOutboundClient({ transport, signer, stsAudience: 'https://sts' })).toThrow(BindingConfigError);
    expect(() => createOutboundClient({ transport, signer, stsAudience: 'spiffe://estate.local/sts', timeoutMs: 0 })).toThrow(BindingConfigError);
  });

  it.each([
    ['an audience that is not a SPIFFE ID', { audience: 'orders' }],
    ['a wildcard subject', { subject: 'orders.*' }],
    ['no scope', { scope: ' ' }],
    ['a scope that is not scope-tokens', { scope: 'orders:"write"' }],
    ['a raw token instead of the principal\'s handle', { subjectToken: 'a.b.c' as never }],
  ])('refuses %s before sending', async (_name, change) => {
    await expect(outbound.call({ ...call, ...change })).rejects.toBeInstanceOf(BindingConfigError);
    expect(sent).toEqual([]);
  });

  it('a call\'s shape is checked once per audience, subject and scope: after a good call, a changed one is still refused before sending', async () => {
    const reached: unknown[] = [];
    const recording = createOutboundClient({ transport: { request: async (request: unknown) => void reached.push(request) }, signer, stsAudience: 'spiffe://estate.local/sts' });
    await recording.call(call).catch(() => undefined); // the recording transport answers no exchange
    expect(reached).toHaveLength(1);
    for (const change of [{ scope: 'orders:"write"' }, { audience: 'orders' }, { subject: 'orders.>' }, { subjectToken: 'a.b.c' as never }]) {
      await expect(recording.call({ ...call, ...change })).rejects.toBeInstanceOf(BindingConfigError);
    }
    expect(reached).toHaveLength(1);
  });

  it('the principal\'s subject token handle never prints its token', () => {
    expect(JSON.stringify({ subjectToken })).toBe('{"subjectToken":"[subject token]"}');
  });
});
