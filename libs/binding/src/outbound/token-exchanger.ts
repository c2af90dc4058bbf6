import { pinnedSigner } from '../hop/rotating-hop-proof-signer.js';
import type { HopProofSigner } from '../hop/sign-hop-proof.js';
import { safely, type OutboundObserver } from '../observe/binding-observer.js';
import { HOP_PROOF_HEADER } from '../hop/hop-header-names.js';
import { revealSubjectToken, type SubjectToken } from '../token/subject-token.js';
import type { Clock } from '../time/clock.js';
import { ExchangedTokenCache, type ExchangedToken } from './exchanged-token-cache.js';
import type { HopTransport } from './hop-transport.js';
import { OutboundRefusedError } from './outbound-errors.js';
import { observeRequest } from './observe-request.js';
import { parseTokenExchangeResponse, TOKEN_EXCHANGE_GRANT_TYPE, type TokenExchangeRequest } from './token-exchange-message.js';

export interface TokenExchangerOptions {
  readonly transport: HopTransport;
  readonly signer: HopProofSigner;
  /** The STS's SPIFFE ID (the proof's `aud`) and the subject it serves exchanges on. */
  readonly stsAudience: string;
  readonly exchangeSubject: string;
  readonly timeoutMs: number;
  readonly cache: ExchangedTokenCache;
  readonly clock: Clock;
  /** Told of each cache lookup and each exchange sent (with the trace context its proof covers). */
  readonly observer?: OutboundObserver;
}

/** What to exchange: the token this workload holds, for one callee and one scope. */
export interface ExchangeInput {
  readonly subjectToken: SubjectToken;
  /** The callee's SPIFFE ID. */
  readonly audience: string;
  /** Normalised (deduplicated, sorted) space-separated scope. */
  readonly scope: string;
}

export interface TokenExchanger {
  /**
   * `signer` signs the exchange proof, so the token is bound to its certificate; default: the
   * exchanger's. A caller pins one signer for the exchange and the call (pinnedSigner).
   */
  exchange(input: ExchangeInput, signer?: HopProofSigner): Promise<ExchangedToken>;
  /** Drops the cached token of this input for this signer's certificate, e.g. after the callee refused it. */
  forget(input: ExchangeInput, signer?: HopProofSigner): void;
}

/**
 * ARCHITECTURE "Exchange", caller side: returns the internal token for (subject token, callee,
 * scope), from the cache while it is fresh, else from the STS:
 * 1. the cache (keyed by the subject token's hash, the audience, the scope and the thumbprint of
 *    the certificate that signs the proof: after a renewal, tokens bound to the old one are not
 *    found, so the next call exchanges again with a proof from the new certificate, L2);
 * 2. a concurrent exchange of the same key is shared, not repeated;
 * 3. the RFC 8693 request, with a Hop-Proof (aud = the STS, sub = the exchange subject, `ath` over
 *    the subject token, `pdh` over the request): the caller authenticates with its certificate;
 * 4. the answer checked (parseTokenExchangeResponse), its `exp` taken as now + `expires_in`,
 *    cached, returned.
 * Rejects with OutboundUnavailableError or OutboundRefusedError (stage `exchange`); an answer that
 * is not a token exchange response is refused as `server_error`.
 * Does not verify the issued token (the callee does) nor decide the scope (the STS's policy does).
 */
export function createTokenExchanger(options: TokenExchangerOptions): TokenExchanger {
  const { transport, stsAudience, exchangeSubject, timeoutMs, cache, clock } = options;
  const inFlight = new Map<string, Promise<ExchangedToken>>();

  const keyOf = (input: ExchangeInput, signer: HopProofSigner): string =>
    ExchangedTokenCache.keyOf(revealSubjectToken(input.subjectToken), input.audience, input.scope, signer.certificateThumbprint);

  async function exchangeAtSts(input: ExchangeInput, key: string, signer: HopProofSigner): Promise<ExchangedToken> {
    const subjectToken = revealSubjectToken(input.subjectToken);
    const payload: TokenExchangeRequest = {
      grant_type: TOKEN_EXCHANGE_GRANT_TYPE,
      subject_token: subjectToken,
      subject_token_type: input.subjectToken.type,
      audience: input.audience,
      scope: input.scope,
    };
    const reply = await observeRequest(options.observer, { stage: 'exchange', subject: exchangeSubject, audience: stsAudience, onBehalfOf: input.subjectToken }, async (otherTokens) => {
      const proof = await signer.sign({ audience: stsAudience, subject: exchangeSubject, token: subjectToken, payload, otherTokens });
      return transport.request({ stage: 'exchange', subject: exchangeSubject, payload, headers: { ...otherTokens, [HOP_PROOF_HEADER]: proof }, timeoutMs });
    });
    const response = parseTokenExchangeResponse(reply);
    if (response === undefined) {
      throw new OutboundRefusedError('exchange', exchangeSubject, { code: 'server_error', type: 'invalid_exchange_response', status: 502 });
    }
    const token: ExchangedToken = Object.freeze({ accessToken: response.access_token, expiresAt: clock() + response.expires_in, scope: response.scope });
    cache.set(key, token);
    return token;
  }

  function exchange(input: ExchangeInput, signer: HopProofSigner = pinnedSigner(options.signer)): Promise<ExchangedToken> {
    const key = keyOf(input, signer);
    const cached = cache.get(key);
    const observer = options.observer;
    if (observer?.exchangeCache !== undefined) safely(() => observer.exchangeCache!({ hit: cached !== undefined, audience: input.audience }));
    if (cached !== undefined) return Promise.resolve(cached);
    const pending = inFlight.get(key);
    if (pending !== undefined) return pending;
    const started = exchangeAtSts(input, key, signer).finally(() => inFlight.delete(key));
    inFlight.set(key, started);
    return started;
  }

  const forget = (input: ExchangeInput, signer: HopProofSigner = pinnedSigner(options.signer)): void => cache.delete(keyOf(input, signer));
  return Object.freeze({ exchange, forget });
}
