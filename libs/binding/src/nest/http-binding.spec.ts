import { describe, expect, it } from '@jest/globals';
import type { IncomingMessage } from 'node:http';
import { DEFAULT_MAX_PROOF_LENGTH } from '../dpop/parse-authorization.js';
import { thrownBy } from '../dpop/proof-client.fixture.js';
import { BindingConfigError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import { accessTokenOf, toDpopRequest } from './http-binding.js';

const POLICY = Object.freeze({ confirmation: 'dpop' as const });

/**
 * A request as Fastify's `inject` (light-my-request) builds it: `headers` folded, `rawHeaders`
 * with every line, and no `headersDistinct`. Nothing else of a socket.
 */
function injected(rawHeaders: string[]): IncomingMessage {
  const headers: Record<string, string> = {};
  for (let index = 0; index < rawHeaders.length; index += 2) headers[rawHeaders[index]!.toLowerCase()] ??= rawHeaders[index + 1]!;
  return { method: 'GET', url: '/r/me', headers, rawHeaders } as unknown as IncomingMessage;
}

describe('toDpopRequest: header lines from any adapter', () => {
  it('E2, E3: without headersDistinct, every line of rawHeaders is kept, by lower-case name', () => {
    const request = toDpopRequest(injected(['Host', 'localhost:3000', 'Authorization', 'DPoP a', 'authorization', 'DPoP b', 'DPoP', 'p1', 'dpop', 'p2']), POLICY);
    expect(request).toMatchObject({ method: 'GET', target: '/r/me', host: ['localhost:3000'], authorization: ['DPoP a', 'DPoP b'], dpop: ['p1', 'p2'] });
  });

  it('E20: the access token handed to the principal is the one Authorization line, after the scheme', () => {
    expect(accessTokenOf(injected(['Authorization', 'DPoP tok.en.sig', 'DPoP', 'pr.oo.f']))).toBe('tok.en.sig');
    expect(accessTokenOf(injected(['Authorization', 'Bearer tok.en.sig']))).toBe('tok.en.sig');
  });

  it('E1: RFC 9110 §11.4 1*SP: after `DPoP  ` (two spaces) the token is exactly the token68, as parseAuthorization reads it', () => {
    expect(accessTokenOf(injected(['Authorization', 'DPoP  tok.en.sig', 'DPoP', 'pr.oo.f']))).toBe('tok.en.sig');
    expect(accessTokenOf(injected(['Authorization', 'dpop   tok.en.sig==', 'DPoP', 'pr.oo.f']))).toBe('tok.en.sig==');
  });

  it('E4: a proof over the default size cap but allowed by the verifier\'s maxProofLength does not cost the token', () => {
    const proof = `${'a'.repeat(DEFAULT_MAX_PROOF_LENGTH)}.b.c`;
    expect(accessTokenOf(injected(['Authorization', 'DPoP tok.en.sig', 'DPoP', proof]))).toBe('tok.en.sig');
  });

  it('E1: a tab or no space after the scheme yields no token, only the refusal parseAuthorization gives', () => {
    expect(thrownBy(() => accessTokenOf(injected(['Authorization', 'DPoP\ttok.en.sig', 'DPoP', 'pr.oo.f'])))).toMatchObject({ type: FailureType.MalformedAuthorization, code: 'invalid_request' });
    expect(thrownBy(() => accessTokenOf(injected(['Authorization', 'DPoPtok.en.sig', 'DPoP', 'pr.oo.f'])))).toMatchObject({ type: FailureType.MalformedAuthorization, code: 'invalid_request' });
  });

  it('a request with neither headersDistinct nor rawHeaders is a configuration error, never a pass', () => {
    const bare = { method: 'GET', url: '/r/me', headers: { authorization: 'DPoP a' } } as unknown as IncomingMessage;
    expect(() => toDpopRequest(bare, POLICY)).toThrow(BindingConfigError);
  });
});
