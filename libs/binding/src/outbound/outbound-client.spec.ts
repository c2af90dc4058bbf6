import { describe, expect, it } from '@jest/globals';
import { ClientProxyFactory, Transport } from '@nestjs/microservices';
import { BindingConfigError } from '../errors/binding-error.js';
import { ACCESS_TOKEN_TYPE } from '../nest/http-binding.js';
import { SubjectToken } from '../nest/subject-token.js';
import { createOutboundClient } from './outbound-client.js';

// Mistakes in a caller's code fail before anything is signed or sent (the transport is never
// reached: the ClientNats below is not even connected). The calls themselves run in test/hops.

const client = ClientProxyFactory.create({ transport: Transport.NATS, options: { servers: ['nats://127.0.0.1:1'] } });
const signer = { certificateThumbprint: 'x', sign: async () => 'proof' };
const outbound = createOutboundClient({ client, signer, stsAudience: 'spiffe://estate.local/sts' });
const subjectToken = new SubjectToken('a.b.c', ACCESS_TOKEN_TYPE, 2_000_000_000);
const call = { audience: 'spiffe://estate.local/orders', subject: 'orders.create', payload: {}, subjectToken, scope: 'orders:write' };

describe('createOutboundClient: the caller\'s own mistakes are configuration errors', () => {
  it('refuses a client, signer or STS audience that cannot work', () => {
    expect(() => createOutboundClient({ client: {} as never, signer, stsAudience: 'spiffe://estate.local/sts' })).toThrow(BindingConfigError);
    expect(() => createOutboundClient({ client, signer: {} as never, stsAudience: 'spiffe://estate.local/sts' })).toThrow(BindingConfigError);
    expect(() => createOutboundClient({ client, signer, stsAudience: 'https://sts' })).toThrow(BindingConfigError);
    expect(() => createOutboundClient({ client, signer, stsAudience: 'spiffe://estate.local/sts', timeoutMs: 0 })).toThrow(BindingConfigError);
  });

  it.each([
    ['an audience that is not a SPIFFE ID', { audience: 'orders' }],
    ['a wildcard subject', { subject: 'orders.*' }],
    ['no scope', { scope: ' ' }],
    ['a scope that is not scope-tokens', { scope: 'orders:"write"' }],
    ['a raw token instead of the principal\'s handle', { subjectToken: 'a.b.c' as never }],
  ])('refuses %s before sending', async (_name, change) => {
    await expect(outbound.call({ ...call, ...change })).rejects.toBeInstanceOf(BindingConfigError);
  });

  it('the principal\'s subject token handle never prints its token', () => {
    expect(JSON.stringify({ subjectToken })).toBe('{"subjectToken":"[subject token]"}');
  });
});
