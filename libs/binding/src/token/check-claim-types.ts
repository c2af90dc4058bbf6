import { BindingError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';

/**
 * E18, H8: the claims every later check reads have the types RFC 9068 §2.2 gives them, so that no
 * comparison downstream meets a number where it expects a string, or an array where it expects an
 * object. Of the claims RFC 9068 §2.2 makes REQUIRED, the resource server reads `iss`, `exp`, `aud`
 * and `sub`: these must be present, `sub` a non-empty string ("a StringOrURI", RFC 7519 §4.1.2),
 * `exp` a NumericDate. `client_id`, `jti` and `iat`, also REQUIRED of the issuer, are typed when
 * present but not demanded: RFC 9068 §4 does not ask the resource server to check them, and jose
 * already rejects a non-numeric `iat` or `nbf`. When present: `scope` is "a JSON string" (RFC 8693
 * §4.2); `cnf` is a JSON object (RFC 7800 §3.1); `act` is "a JSON object" whose members "identify
 * the actor", here its `sub`, nested to keep the chain (RFC 8693 §4.1), at most `maxActorDepth` deep.
 *
 * Does not compare any value (iss, aud, lifetime, cnf members, actor): the verifier, checkAudience,
 * the confirmation checks and the policy do.
 */
export function checkClaimTypes(claims: Readonly<Record<string, unknown>>, maxActorDepth: number): void {
  if (typeof claims.iss !== 'string') malformed('iss');
  if (typeof claims.sub !== 'string' || claims.sub.length === 0) malformed('sub');
  if (typeof claims.exp !== 'number' || !Number.isFinite(claims.exp)) malformed('exp');
  for (const name of ['scope', 'client_id', 'jti'] as const) {
    if (claims[name] !== undefined && typeof claims[name] !== 'string') malformed(name);
  }
  if (claims.cnf !== undefined && !isPlainObject(claims.cnf)) malformed('cnf');
  if (claims.act !== undefined) checkActorChain(claims.act, maxActorDepth);
}

/** RFC 8693 §4.1: each actor is a JSON object identifying the party by `sub`; a chain has a bound. */
function checkActorChain(act: unknown, maxActorDepth: number): void {
  let actor: unknown = act;
  for (let depth = 1; actor !== undefined; depth += 1) {
    if (depth > maxActorDepth) {
      throw new BindingError(FailureType.TokenMalformed, 'token act claim is nested too deeply');
    }
    if (!isPlainObject(actor)) malformed('act');
    const { sub, act: prior } = actor as { sub?: unknown; act?: unknown };
    if (typeof sub !== 'string' || sub.length === 0) malformed('act');
    actor = prior;
  }
}

function isPlainObject(value: unknown): boolean {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function malformed(claim: string): never {
  throw new BindingError(FailureType.TokenMalformed, `token ${claim} claim is missing or has the wrong type`);
}
