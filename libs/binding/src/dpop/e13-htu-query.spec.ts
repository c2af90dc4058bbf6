import { describe, expect, it } from '@jest/globals';
import { expectBindingError } from '../../test-support/expect-binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import { checkHtu } from './check-htu.js';
import { setupVerifier } from './dpop-verifier.fixture.js';

/**
 * E13 regression: the URI-character check ran over the whole htu, query and fragment included,
 * before they were dropped, so an htu copied from a browser's `new URL(...).href` (which leaves
 * `|`, `{`, `}`, `^` unescaped in a query or fragment) was refused as "not an absolute http or
 * https URI", although RFC 9449 §4.3 (9) compares it "ignoring any query and fragment parts".
 */
const EFFECTIVE = 'https://api.example.com/orders';

describe('E13: htu query and fragment are ignored, the rest stays strict', () => {
  it('E13: ?a=b|c, ?a={1} and #a^b pass (RFC 9449 §4.3 (9))', () => {
    for (const htu of [`${EFFECTIVE}?a=b|c`, `${EFFECTIVE}?a={1}`, `${EFFECTIVE}#a^b`, `${EFFECTIVE}?a=b|c#d^e`]) {
      expect(() => checkHtu(htu, EFFECTIVE)).not.toThrow();
    }
  });

  it('E13: a `|` or a space in the path is still not a URI: ProofClaims', () => {
    for (const htu of ['https://api.example.com/ord|ers?a=b|c', 'https://api.example.com/ord ers', 'https://api.example.com/ord{ers}#a^b']) {
      expectBindingError(() => checkHtu(htu, EFFECTIVE), FailureType.ProofClaims, 'invalid_dpop_proof');
    }
  });

  it('E13: userinfo or a relative htu is still refused, whatever its query: ProofClaims', () => {
    for (const htu of ['https://alice@api.example.com/orders?a=b|c', '/orders?a=b|c', '//api.example.com/orders?a={1}', 'api.example.com/orders#a^b']) {
      expectBindingError(() => checkHtu(htu, EFFECTIVE), FailureType.ProofClaims, 'invalid_dpop_proof');
    }
  });

  it('E13: a userinfo hidden after `?` or `#` is query or fragment, and the host before it is what is compared', () => {
    expect(() => checkHtu('https://api.example.com/orders?@evil.example', EFFECTIVE)).not.toThrow();
    expectBindingError(() => checkHtu('https://evil.example?@api.example.com/orders', EFFECTIVE), FailureType.HtuMismatch, 'invalid_dpop_proof');
  });

  it('E13: a whole request whose proof carries a browser href with `|` in the query is accepted; another path is not', async () => {
    const { verifier, send } = await setupVerifier();
    const { request } = await send({ htu: `${EFFECTIVE}?a=b|c` }, { target: '/orders?a=b|c' });
    await expect(verifier.verify(request)).resolves.toMatchObject({ scheme: 'dpop' });
    const other = (await send({ htu: 'https://api.example.com/admin?a=b|c' }, { target: '/orders?a=b|c' })).request;
    await expectBindingError(verifier.verify(other), FailureType.HtuMismatch, 'invalid_dpop_proof');
  });
});
