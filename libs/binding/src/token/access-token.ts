import type { JWTPayload } from 'jose';

/** RFC 8693 §4.1: the acting party, nested to keep the chain of delegation. */
export interface Actor {
  readonly sub: string;
  readonly act?: Actor;
}

/** The claims of a verified JWT access token (RFC 9068 §2.2), frozen. */
export interface AccessTokenClaims extends JWTPayload {
  readonly iss: string;
  readonly sub: string;
  readonly exp: number;
  readonly aud: string | string[];
  readonly client_id?: string;
  readonly scope?: string;
  /** RFC 7800 §3.1: the confirmation method; `jkt` (RFC 9449) or `x5t#S256` (RFC 8705). */
  readonly cnf?: Readonly<Record<string, unknown>>;
  readonly act?: Actor;
}

/**
 * Verifies an access token as sent and returns its claims: signature against the issuer's keys,
 * `iss`, `aud` (includes the configured audience), `exp`/`nbf` with leeway, `typ`, algorithm
 * allow-list (E18, H8). Throws a BindingError. Implementations may cache by token until `exp`.
 * Does not check the confirmation method or scope: the binding and the policy do.
 */
export interface AccessTokenVerifier {
  verify(token: string): Promise<AccessTokenClaims>;
}

/** The two ways a token can be bound to its sender: a DPoP key, or a client certificate. */
export type ConfirmationMethod = 'dpop' | 'mtls';
