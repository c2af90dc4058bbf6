import { BindingError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';

/** E4: a proof longer than this is refused before any decoding (8 KiB; proofs are ASCII). */
export const DEFAULT_MAX_PROOF_LENGTH = 8192; // characters

export type AuthorizationScheme = 'dpop' | 'bearer';

/** The credentials of one request, taken from its distinct header values, not yet verified. */
export interface RequestCredentials {
  readonly scheme: AuthorizationScheme;
  /** The access token exactly as sent (`ath` is computed over these characters). */
  readonly token: string;
  /** The DPoP proof (compact JWS text); present exactly when the scheme is `dpop`. */
  readonly proof: string | undefined;
}

/**
 * RFC 9110 §11.4 `credentials = auth-scheme [ 1*SP ( token68 / #auth-param ) ]`, auth-scheme a
 * `token` (§5.6.2). The rest is checked as token68 below; anything else is not DPoP or Bearer.
 */
const CREDENTIALS = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)(?: +(.*))?$/s;
/** RFC 9110 §11.2 token68, the syntax of RFC 9449 §7.1 credentials and of the DPoP header (§4.1). */
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;

/**
 * E1-E5 framing, from Node's `req.headersDistinct` (each header line kept, so a duplicate cannot
 * hide behind the first one Node would otherwise keep):
 *
 * 1. E2: more than one `Authorization` value is `invalid_request` (RFC 6750 §3.1 "repeats the
 *    same parameter"); E3: RFC 9449 §4.3 (1) "there is not more than one DPoP HTTP request header
 *    field".
 * 2. No `Authorization`: `MissingCredentials` (a challenge without `error`, RFC 6750 §3.1); but a
 *    `DPoP` proof without a token is malformed: RFC 9449 §7 "Requests to DPoP protected resources
 *    MUST include both a DPoP proof ... and the access token".
 * 3. E1: the scheme is matched case-insensitively (RFC 9110 §11.1 "case-insensitive token"); the
 *    token is token68. A scheme other than DPoP or Bearer is, per RFC 6750 §3.1, "attempted using
 *    an unsupported authentication method": `MissingCredentials`, a challenge without `error`.
 * 4. E5: Bearer with a `DPoP` header is `MultipleCredentialMechanisms` (`invalid_request`). RFC 9449
 *    §7.2 gives the error to the scheme "if the mechanism used to attempt authentication could be
 *    established unambiguously"; a Bearer token next to a proof is not, and the RFC answers its own
 *    ambiguous example with `invalid_request`. Ignoring the proof would silently downgrade a client
 *    that meant to prove possession.
 * 5. E5: DPoP without a `DPoP` header is `MissingProof` (`invalid_request`).
 * 6. E3, E4: the proof's length is capped before anything else reads it; a `,` means several
 *    proofs were folded into one line (RFC 9110 §5.3); it must then be token68 (RFC 9449 §4.1),
 *    which also rules out whitespace.
 *
 * Does not decode the token or the proof, nor read a token from the query or the body (E1: never
 * looked at, so never accepted): the later checks do the decoding; there is nothing else to read.
 */
export function parseAuthorization(
  authorization: readonly string[] | undefined,
  dpop: readonly string[] | undefined,
  maxProofLength: number = DEFAULT_MAX_PROOF_LENGTH,
): RequestCredentials {
  const hasProof = dpop !== undefined && dpop.length > 0;
  if (authorization !== undefined && authorization.length > 1) {
    throw new BindingError(FailureType.MultipleAuthorization, 'more than one Authorization header');
  }
  if (dpop !== undefined && dpop.length > 1) {
    throw new BindingError(FailureType.MultipleProofs, 'more than one DPoP header');
  }
  const value = authorization?.[0];
  if (value === undefined) {
    if (hasProof) throw new BindingError(FailureType.MalformedAuthorization, 'DPoP proof sent without an access token');
    throw new BindingError(FailureType.MissingCredentials, 'no access token');
  }

  const { scheme, token } = splitCredentials(value, hasProof);
  if (scheme === 'bearer') {
    if (hasProof) {
      throw new BindingError(FailureType.MultipleCredentialMechanisms, 'Bearer scheme used together with a DPoP proof');
    }
    return Object.freeze({ scheme, token, proof: undefined });
  }
  if (!hasProof) throw new BindingError(FailureType.MissingProof, 'DPoP scheme used without a DPoP proof header');
  return Object.freeze({ scheme, token, proof: checkProofFraming(dpop[0] as string, maxProofLength) });
}

function splitCredentials(value: string, hasProof: boolean): { scheme: AuthorizationScheme; token: string } {
  const match = CREDENTIALS.exec(value);
  if (match === null) throw new BindingError(FailureType.MalformedAuthorization, 'Authorization header is malformed');
  const scheme = (match[1] as string).toLowerCase();
  if (scheme !== 'dpop' && scheme !== 'bearer') {
    if (hasProof) throw new BindingError(FailureType.MalformedAuthorization, 'DPoP proof sent without a DPoP access token');
    throw new BindingError(FailureType.MissingCredentials, 'unsupported authentication scheme');
  }
  const token = match[2];
  if (token === undefined || !TOKEN68.test(token)) {
    throw new BindingError(FailureType.MalformedAuthorization, 'access token is missing or not token68');
  }
  return { scheme, token };
}

function checkProofFraming(proof: string, maxProofLength: number): string {
  if (proof.length > maxProofLength) throw new BindingError(FailureType.ProofTooLarge, 'DPoP proof exceeds the size limit');
  if (proof.includes(',')) throw new BindingError(FailureType.MultipleProofs, 'DPoP header holds more than one value');
  if (!TOKEN68.test(proof)) throw new BindingError(FailureType.MalformedProof, 'DPoP proof is not token68');
  return proof;
}
