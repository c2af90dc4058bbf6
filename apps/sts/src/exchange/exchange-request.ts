import { ACCESS_TOKEN_TYPE, BindingError, FailureType, JWT_TOKEN_TYPE, MAX_SPIFFE_ID_LENGTH, parseScope as parseScopeTokens } from '#binding/core';
import { TOKEN_EXCHANGE_GRANT_TYPE } from '#binding/hop';

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
const MAX_AUDIENCE_LENGTH = MAX_SPIFFE_ID_LENGTH; // characters (SPIFFE ID §2.3)
const MAX_SCOPE_LENGTH = 1_024; // characters

/**
 * RFC 8693 §2.1, the request's syntax, checked first (no signature or token is looked at yet):
 * - `grant_type` is the token-exchange grant (the only grant this subject serves);
 * - `subject_token` REQUIRED, a non-empty string under MAX_SUBJECT_TOKEN_LENGTH;
 * - `subject_token_type` REQUIRED, one of the two types this STS accepts;
 * - `audience` exactly one target (checkOneAudience);
 * - `resource` refused (refuseResource);
 * - `scope` OPTIONAL, space-separated scope-tokens (RFC 6749 §3.3; malformed: invalid_scope);
 * - `actor_token` refused: the caller's hop proof, not a token, names the actor;
 *   `requested_token_type`, when sent, is the JWT type.
 * Fails with ExchangeInvalidRequest (RFC 8693 §2.2.2 'If the request itself is not valid [...] The
 * value of the "error" parameter MUST be the "invalid_request" error code'), ExchangeInvalidTarget
 * or ExchangeInvalidScope.
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
  const audience = checkOneAudience(body['audience']);
  refuseResource(body['resource']);
  if (body['actor_token'] !== undefined || body['actor_token_type'] !== undefined) invalid('actor_token is not accepted: the hop proof names the actor');
  if (body['requested_token_type'] !== undefined && body['requested_token_type'] !== JWT_TOKEN_TYPE) invalid('requested_token_type is not supported');
  return Object.freeze({ subjectToken, subjectTokenType, audience, scope: parseScope(body['scope']) });
}

/**
 * `audience`: this STS requires it and issues a token for exactly one callee. Missing, not a
 * string, empty or over MAX_AUDIENCE_LENGTH (a cap before any use) is a request that is not valid:
 * invalid_request. Several audiences (a list of two or more strings) are well formed, RFC 8693 §2.1
 * allows them, but this STS will not issue one token for several services: RFC 8693 §2.2.2 'If the
 * authorization server is unwilling or unable to issue a token for any target service indicated by
 * the "resource" or "audience" parameters, the "invalid_target" error code SHOULD be used'.
 * Fails with ExchangeInvalidRequest or ExchangeInvalidTarget. Does not check that the one audience
 * is granted to the caller: authorizeExchange does (invalid_target too).
 */
function checkOneAudience(audience: unknown): string {
  if (Array.isArray(audience) && audience.length > 1 && audience.every((value) => typeof value === 'string' && value.length > 0)) {
    throw new BindingError(FailureType.ExchangeInvalidTarget, 'a token is issued for exactly one audience');
  }
  if (typeof audience !== 'string' || audience.length === 0 || audience.length > MAX_AUDIENCE_LENGTH) invalid('audience must name exactly one target');
  return audience;
}

/**
 * `resource` (RFC 8693 §2.1, RFC 8707): this STS names its targets by `audience` (SPIFFE IDs) only
 * and issues a token for no `resource` at all, so any `resource` is a target it is unwilling to issue
 * for: RFC 8693 §2.2.2 invalid_target (quoted at checkOneAudience), whatever its value (RFC 8707 §2
 * also answers a malformed one with invalid_target).
 * Fails with ExchangeInvalidTarget.
 */
function refuseResource(resource: unknown): void {
  if (resource !== undefined) throw new BindingError(FailureType.ExchangeInvalidTarget, 'resource is not accepted: name the target in audience');
}

function parseScope(value: unknown): readonly string[] {
  if (value === undefined) return Object.freeze([]);
  if (typeof value !== 'string' || value.length > MAX_SCOPE_LENGTH) {
    throw new BindingError(FailureType.ExchangeInvalidScope, 'scope must be a space-separated string');
  }
  const scopes = parseScopeTokens(value);
  if (scopes === undefined) {
    throw new BindingError(FailureType.ExchangeInvalidScope, 'scope holds something that is not a scope-token');
  }
  return scopes;
}

function invalid(description: string): never {
  throw new BindingError(FailureType.ExchangeInvalidRequest, description);
}
