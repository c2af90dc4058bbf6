import type { ClientProxy } from '@nestjs/microservices';
import {
  ACCESS_TOKEN_TYPE,
  JWT_TOKEN_TYPE,
  TOKEN_EXCHANGE_GRANT_TYPE,
  type HopProofSigner,
  type TokenExchangeResponse,
} from '#binding';
import { HOP_PROOF_HEADER } from '../../../libs/binding/src/hop/hop-header-names.js';
import { natsRecord, requestWithTimeout } from '#estate';

/** What a test sends to `sts.exchange`: RFC 8693 members, any of which may be replaced or removed. */
export interface RawExchange {
  readonly subjectToken: string;
  readonly subjectTokenType?: string;
  readonly audience?: string;
  readonly scope?: string;
  /** Members merged last (e.g. `{ grant_type: 'password' }`, `{ actor_token: 'x' }`). */
  readonly extra?: Record<string, unknown>;
}

export type ExchangeOutcome =
  | { readonly ok: true; readonly response: TokenExchangeResponse }
  | { readonly ok: false; readonly error: { readonly code: string; readonly type: string; readonly status: number } };

/**
 * One exchange at the real STS, as a caller would make it: the RFC 8693 request as JSON and a
 * Hop-Proof (aud = the STS, sub = sts.exchange, ath over the subject token, pdh over the request)
 * signed by `signer`, sent through `client` (the caller's ClientNats). Resolves the answer or the
 * error reply as it came, so tests can assert `code` and `type`.
 */
export async function exchangeAtSts(client: ClientProxy, signer: HopProofSigner, exchange: RawExchange, proofOverrides: { token?: string; payload?: unknown; audience?: string; subject?: string; now?: number } = {}): Promise<ExchangeOutcome> {
  const payload = {
    grant_type: TOKEN_EXCHANGE_GRANT_TYPE,
    subject_token: exchange.subjectToken,
    subject_token_type: exchange.subjectTokenType ?? (exchange.subjectToken.length > 0 ? ACCESS_TOKEN_TYPE : JWT_TOKEN_TYPE),
    audience: exchange.audience ?? 'spiffe://estate.local/orders',
    ...(exchange.scope === undefined ? {} : { scope: exchange.scope }),
    ...exchange.extra,
  };
  const proof = await signer.sign({
    audience: proofOverrides.audience ?? 'spiffe://estate.local/sts',
    subject: proofOverrides.subject ?? 'sts.exchange',
    token: proofOverrides.token ?? exchange.subjectToken,
    payload: proofOverrides.payload ?? payload,
    ...(proofOverrides.now === undefined ? {} : { now: proofOverrides.now }),
  });
  try {
    const response = await requestWithTimeout<TokenExchangeResponse>(client, 'sts.exchange', natsRecord(payload, { [HOP_PROOF_HEADER]: proof }), 3_000);
    return { ok: true, response };
  } catch (error) {
    return { ok: false, error: error as { code: string; type: string; status: number } };
  }
}
