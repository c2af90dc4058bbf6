import { BindingError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import { decodePopClaims, readJti, readNonEmptyString, readNumericDate, readOptionalString } from '../pop/pop-claims.js';
import { DPOP_PROFILE } from './parse-proof-header.js';

/** The default `maxJtiLength` of the DPoP verifier: the PoP core's, shared with hop proofs. */
export { DEFAULT_MAX_JTI_LENGTH } from '../pop/pop-claims.js';

/** The claims of a DPoP proof that the checks use (RFC 9449 §4.2); unknown claims are dropped. */
export interface DpopProofClaims {
  readonly jti: string;
  readonly htm: string;
  readonly htu: string;
  readonly iat: number;
  /** base64url SHA-256 of the access token; required when a token is presented (§7). */
  readonly ath: string | undefined;
  /** A nonce the server provided (§8, §9). */
  readonly nonce: string | undefined;
  /** RFC 7519 §4.1.4 and §4.1.5; optional in a proof, honoured when present (E16). */
  readonly exp: number | undefined;
  readonly nbf: number | undefined;
}

export interface ProofClaimRules {
  readonly maxJtiLength: number;
  /** §7: "The DPoP proof MUST include the ath claim" when presented with an access token. */
  readonly requireAth: boolean;
}

/**
 * E10: RFC 9449 §4.3 (3) "all required claims per Section 4.2 are contained in the JWT", read
 * with the core's claim readers (pop/pop-claims.ts), each of its type: `jti` a non-empty string
 * under the length cap, `htm` and `htu` non-empty strings,
 * `iat` a NumericDate (RFC 7519 §2: a number, fractions allowed), `ath` a string (required with a
 * token), `nonce` a string when present, `exp`/`nbf` NumericDates when present. Other claims are
 * ignored, not rejected (§4.2 "A DPoP proof MAY contain other JOSE header parameters or claims").
 * Runs on the payload the signature check returned, after it: nothing is decoded twice, and a
 * forged proof costs the same either way, since anyone can sign a well-formed one with a fresh key.
 * Does not check `htu` is an absolute http(s) URI (checkHtu parses it once, for both), nor any
 * value against the request: checkHtm, checkHtu, checkProofTime, the nonce issuer and checkAth do.
 */
export function parseProofClaims(payload: Uint8Array, rules: ProofClaimRules): DpopProofClaims {
  const claims = decodePopClaims(payload, DPOP_PROFILE);
  const jti = readJti(claims['jti'], rules.maxJtiLength, DPOP_PROFILE);
  const ath = readOptionalString(claims['ath'], 'ath', DPOP_PROFILE);
  if (rules.requireAth && ath === undefined) {
    throw new BindingError(FailureType.ProofClaims, 'DPoP proof ath is required with an access token');
  }
  return Object.freeze({
    jti,
    htm: readNonEmptyString(claims['htm'], 'htm', DPOP_PROFILE),
    htu: readNonEmptyString(claims['htu'], 'htu', DPOP_PROFILE),
    // E10: RFC 9449 §4.2 "iat: Creation timestamp of the JWT (Section 4.1.6 of [RFC7519])", a
    // NumericDate: fractions allowed; the window applies to the value as sent (checkProofTime).
    iat: readNumericDate(claims['iat'], 'iat', DPOP_PROFILE),
    ath,
    nonce: readOptionalString(claims['nonce'], 'nonce', DPOP_PROFILE),
    exp: claims['exp'] === undefined ? undefined : readNumericDate(claims['exp'], 'exp', DPOP_PROFILE),
    nbf: claims['nbf'] === undefined ? undefined : readNumericDate(claims['nbf'], 'nbf', DPOP_PROFILE),
  });
}
