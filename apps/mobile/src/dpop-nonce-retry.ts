/**
 * RFC 9449 §8 and §9: a server that wants a nonce answers `use_dpop_nonce` with a DPoP-Nonce
 * header. oauth4webapi's DPoP handle has already remembered that nonce (per origin) when the
 * error surfaces, so the request is sent once more with a fresh proof. Once, not in a loop: a
 * second `use_dpop_nonce` is the server's final answer.
 */
import { isDPoPNonceError } from 'oauth4webapi';

/** For token endpoint calls: `send` makes the request, `process` validates it (and throws). */
export async function withNonceRetry<T>(send: () => Promise<Response>, process: (response: Response) => Promise<T>): Promise<T> {
  try {
    return await process(await send());
  } catch (error) {
    if (!isDPoPNonceError(error)) throw error;
    return process(await send());
  }
}
