/**
 * What tells one kind of proof-of-possession JWS from another in the core's checks: the name its
 * failures carry and the one `typ` it must declare (RFC 8725 §3.11 explicit typing, so a proof of
 * one kind is never accepted as the other). A profile is a constant of its module (dpop/, hop/);
 * what else differs stays with the profile: where the key comes from (DPoP: the header `jwk`,
 * RFC 9449 §4.2; hop: the validated `x5c` path, RFC 7515 §4.1.6), which claims it carries and
 * what they are compared with.
 */
export interface PopProfile {
  /** How failure messages name the proof: `DPoP proof`, `hop proof`. */
  readonly name: string;
  /** The exact `typ` header value: `dpop+jwt`, `hop+jwt`. */
  readonly typ: string;
}
