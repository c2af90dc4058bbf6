import { isIntegerIn } from '../options/integer-range.js';
import { JWT_TOKEN_TYPE } from '../token/token-types.js';

/** RFC 8693 §2.1: the grant_type of a token exchange. */
export const TOKEN_EXCHANGE_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:token-exchange';

/**
 * RFC 8693 §2.2.1 `token_type` says how to use the issued token. An internal token is not a
 * Bearer token (RFC 6750): it is honoured only with a Hop-Proof signed by the certificate in its
 * `cnf`, a usage no registered token type names, hence "N_A". The caller uses it as ARCHITECTURE
 * "Call" says, not by this value.
 */
export const INTERNAL_TOKEN_TYPE = 'N_A';

/**
 * The exchange request on `sts.exchange`: RFC 8693 §2.1 parameters, sent as JSON over NATS (there
 * is no form encoding on the broker) with a Hop-Proof header whose `ath` covers `subject_token` and
 * whose `pdh` covers this whole object. `audience` is the callee's SPIFFE ID (RFC 8693 §2.1: "the
 * logical name of the target service"); `scope` is space-separated (RFC 6749 §3.3).
 */
export interface TokenExchangeRequest {
  readonly grant_type: typeof TOKEN_EXCHANGE_GRANT_TYPE;
  readonly subject_token: string;
  readonly subject_token_type: string;
  readonly audience: string;
  readonly scope: string;
}

/** RFC 8693 §2.2.1: the successful answer. `issued_token_type` is always the JWT token type here. */
export interface TokenExchangeResponse {
  readonly access_token: string;
  readonly issued_token_type: typeof JWT_TOKEN_TYPE;
  readonly token_type: typeof INTERNAL_TOKEN_TYPE;
  /** Seconds; RFC 8693 §2.2.1 RECOMMENDED, always sent by this STS. */
  readonly expires_in: number;
  readonly scope: string;
}

/** Longest lifetime an answer may state; the STS issues about 60 s. */
const MAX_EXPIRES_IN_S = 3_600; // seconds

/**
 * Checks the STS's answer before anything is cached or sent on: the members RFC 8693 §2.2.1
 * requires, `issued_token_type` the JWT type, `expires_in` a positive whole number of seconds of
 * at most an hour. Returns undefined for anything else (the caller refuses it as a server error).
 * Does not verify the token: the callee does (H8), the caller holds it opaque.
 */
export function parseTokenExchangeResponse(value: unknown): TokenExchangeResponse | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const reply = value as Record<string, unknown>;
  const { access_token, issued_token_type, expires_in, scope } = reply;
  if (typeof access_token !== 'string' || access_token.length === 0) return undefined;
  if (issued_token_type !== JWT_TOKEN_TYPE) return undefined;
  if (!isIntegerIn(expires_in, 1, MAX_EXPIRES_IN_S)) return undefined;
  if (typeof scope !== 'string') return undefined;
  return { access_token, issued_token_type, token_type: INTERNAL_TOKEN_TYPE, expires_in, scope };
}
