import { randomUUID } from 'node:crypto';
import { SignJWT, type JWTPayload } from 'jose';
import { BindingError, FailureType, type AccessTokenClaims } from '#binding/core';
import type { SigningKey } from '../keys/sts-key-ring.js';

/** ARCHITECTURE "Exchange": "lifetime short (about 60 s)". */
export const DEFAULT_INTERNAL_TOKEN_TTL_S = 60; // seconds

export interface InternalTokenInput {
  /** This STS's SPIFFE ID: the `iss`. */
  readonly issuer: string;
  /** The verified subject token. */
  readonly subject: AccessTokenClaims;
  /** Whether the subject token is one of this STS's own (its `act` is then kept, nested). */
  readonly subjectIsInternal: boolean;
  /** The caller's SPIFFE ID and certificate thumbprint, from its verified hop proof. */
  readonly caller: string;
  readonly callerThumbprint: string;
  /** The callee's SPIFFE ID. */
  readonly audience: string;
  readonly scope: readonly string[];
  /** Epoch seconds. */
  readonly now: number;
  readonly ttlSeconds: number;
}

/**
 * The claims of an internal token (ARCHITECTURE "Exchange"; RFC 9068 §2.2, RFC 8693 §4, RFC 8705 §3.1):
 * - `iss` this STS; `sub` the end user, unchanged; `aud` the callee; `client_id` carried over;
 * - `act` the caller (RFC 8693 §4.1: "the current actor"); when the subject token is internal its
 *   own `act` is nested inside, so the chain reads callee-side first: `{ sub: orders, act: { sub: edge } }`.
 *   The external issuer's actors (if any) are not estate workloads and are not carried in;
 * - `cnf` `{ "x5t#S256": <the caller's certificate thumbprint> }`: only the certificate that signed
 *   the caller's proof can present it (H10);
 * - `scope` the narrowed scope; `jti` fresh; `iat` now; `exp` now + ttl, never past the subject
 *   token's `exp` (a token cannot outlive the authority it was derived from).
 * Fails with TokenExpired when the subject token expires at this very second (nothing to issue).
 * Does not sign: signInternalToken does.
 */
export function internalTokenClaims(input: InternalTokenInput): JWTPayload {
  const exp = Math.min(input.now + input.ttlSeconds, input.subject.exp);
  if (exp <= input.now) throw new BindingError(FailureType.TokenExpired, 'the subject token expires now');
  const previous = input.subjectIsInternal ? input.subject.act : undefined;
  const act: NonNullable<AccessTokenClaims['act']> = previous === undefined ? { sub: input.caller } : { sub: input.caller, act: previous };
  return {
    iss: input.issuer,
    sub: input.subject.sub,
    aud: input.audience,
    iat: input.now,
    exp,
    jti: randomUUID(),
    ...(typeof input.subject.client_id === 'string' ? { client_id: input.subject.client_id } : {}),
    scope: input.scope.join(' '),
    act,
    cnf: { 'x5t#S256': input.callerThumbprint },
  };
}

/** RFC 9068 §2.1: `typ: at+jwt`, signed by the STS's current key, named by `kid`. */
export function signInternalToken(claims: JWTPayload, key: SigningKey): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: key.alg, typ: 'at+jwt', kid: key.kid }).sign(key.privateKey);
}
