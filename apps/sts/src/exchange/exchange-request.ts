import { ACCESS_TOKEN_TYPE, BindingError, FailureType, JWT_TOKEN_TYPE, TOKEN_EXCHANGE_GRANT_TYPE } from '#binding';

/** The two kinds of subject token this STS accepts (RFC 8693 §3 token type identifiers). */
export type SubjectTokenType = typeof ACCESS_TOKEN_TYPE | typeof JWT_TOKEN_TYPE;

/** An exchange request whose syntax passed; nothing in it is trusted yet. */
export interface ExchangeRequest {
  readonly subjectToken: string;
  /** `access_token`: the external issuer's DPoP-bound token (from the edge); `jwt`: one of this STS's own. */
  readonly subjectTokenType: SubjectTokenType;
  /** The callee's SPIFFE ID, as requested. */
  readonly audience: string;
  /** Requested scope-tokens, deduplicated; empty when the request named none. */
  readonly scope: readonly string[];
}

/** Refused before any decoding: larger than any token this estate issues or accepts. */
export const MAX_SUBJECT_TOKEN_LENGTH = 16_384; // characters
const MAX_AUDIENCE_LENGTH = 2_048; // characters (SPIFFE ID §2.3)
const MAX_SCOPE_LENGTH = 1_024; // characters
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/; // RFC 6749 §3.3 scope-token

/**
 * RFC 8693 §2.1, the request's syntax, checked first (no signature or token is looked at yet):
 * - `grant_type` is the token-exchange grant (the only grant this subject serves);
 * - `subject_token` REQUIRED, a non-empty string under MAX_SUBJECT_TOKEN_LENGTH;
 * - `subject_token_type` REQUIRED, one of the two types this STS accepts;
 * - `audience` one string (this STS issues a token for exactly one callee; RFC 8693 allows several);
 * - `scope` OPTIONAL, space-separated scope-tokens (RFC 6749 §3.3; malformed: invalid_scope);
 * - `actor_token` and `resource` are refused: the caller's hop proof, not a token, names the
 *   actor, and targets are named by `audience` only; `requested_token_type`, when sent, is the JWT type.
 * Fails with ExchangeInvalidRequest (RFC 8693 §2.2.2 invalid_request) or ExchangeInvalidScope.
 * Does not check what the values mean: the policy and the subject token check do.
 */
export function parseExchangeRequest(payload: unknown): ExchangeRequest {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) invalid('the exchange request is not a JSON object');
  const body = payload as Record<string, unknown>;
  if (body['grant_type'] !== TOKEN_EXCHANGE_GRANT_TYPE) invalid('grant_type must be the token-exchange grant');
  const subjectToken = body['subject_token'];
  if (typeof subjectToken !== 'string' || subjectToken.length === 0 || subjectToken.length > MAX_SUBJECT_TOKEN_LENGTH) {
    invalid('subject_token is missing or not a string of acceptable length');
  }
  const subjectTokenType = body['subject_token_type'];
  if (subjectTokenType !== ACCESS_TOKEN_TYPE && subjectTokenType !== JWT_TOKEN_TYPE) invalid('subject_token_type is missing or not supported');
  const audience = body['audience'];
  if (typeof audience !== 'string' || audience.length === 0 || audience.length > MAX_AUDIENCE_LENGTH) invalid('audience must name exactly one target');
  if (body['actor_token'] !== undefined || body['actor_token_type'] !== undefined) invalid('actor_token is not accepted: the hop proof names the actor');
  if (body['resource'] !== undefined) invalid('resource is not accepted: name the target in audience');
  if (body['requested_token_type'] !== undefined && body['requested_token_type'] !== JWT_TOKEN_TYPE) invalid('requested_token_type is not supported');
  return Object.freeze({ subjectToken, subjectTokenType, audience, scope: parseScope(body['scope']) });
}

function parseScope(value: unknown): readonly string[] {
  if (value === undefined) return Object.freeze([]);
  if (typeof value !== 'string' || value.length > MAX_SCOPE_LENGTH) {
    throw new BindingError(FailureType.ExchangeInvalidScope, 'scope must be a space-separated string');
  }
  const scopes = value.split(' ').filter((scope) => scope !== '');
  if (!scopes.every((scope) => SCOPE_TOKEN.test(scope))) {
    throw new BindingError(FailureType.ExchangeInvalidScope, 'scope holds something that is not a scope-token');
  }
  return Object.freeze([...new Set(scopes)]);
}

function invalid(description: string): never {
  throw new BindingError(FailureType.ExchangeInvalidRequest, description);
}
