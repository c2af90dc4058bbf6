import { describe, expect, it } from '@jest/globals';
import type { IncomingMessage } from 'node:http';
import { BindingConfigError } from '../errors/binding-error.js';
import { toDpopRequest } from './http-binding.js';

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

  it('a request with neither headersDistinct nor rawHeaders is a configuration error, never a pass', () => {
    const bare = { method: 'GET', url: '/r/me', headers: { authorization: 'DPoP a' } } as unknown as IncomingMessage;
    expect(() => toDpopRequest(bare, POLICY)).toThrow(BindingConfigError);
  });
});
