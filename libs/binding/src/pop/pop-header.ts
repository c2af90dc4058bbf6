import { BindingError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import { decodeSegment, parseJsonObject } from './compact-jws.js';
import type { PopProfile } from './pop-profile.js';

/**
 * E6, H2: the protected header segment of a proof (RFC 7515 §4), base64url of strict UTF-8 JSON
 * that is an object; anything else is MalformedProof.
 * Does not check any member: checkPopHeader and the profile's key parameter check do.
 */
export function decodePopHeader(segment: string, profile: PopProfile): Readonly<Record<string, unknown>> {
  return parseJsonObject(decodeSegment(segment), 'header', profile);
}

/**
 * E6-E8, H2: what every proof-of-possession header must say, in this order:
 * 1. `typ` exactly the profile's (RFC 9449 §4.3 (4) "the `typ` JOSE header parameter has the value
 *    `dpop+jwt`"; `hop+jwt` for a hop proof). Compared exactly: the RFC 7515 §4.1.9 `application/`
 *    prefix or another case would only widen the input. Else ProofType;
 * 2. `alg` in the allow-list (RFC 9449 §4.3 (5) "is not `none`, is supported by the application,
 *    and is acceptable per local policy"; RFC 8725 §3.1 the caller specifies the set): `none` and
 *    MACs are never in one. Else ProofAlgorithm;
 * 3. no `crit`, whatever it lists: no extension is understood here (RFC 7515 §4.1.11 "If any of
 *    the listed extension Header Parameters are not understood and supported by the recipient,
 *    then the JWS is invalid"; jose would accept `b64`, this does not). Else MalformedProof.
 * Returns the `alg`, the one the signature is then verified under. Other parameters are ignored.
 * Does not read the key parameter (`jwk` or `x5c`): the profile does, right after.
 */
export function checkPopHeader(header: Readonly<Record<string, unknown>>, profile: PopProfile, algorithms: readonly string[]): string {
  if (header['typ'] !== profile.typ) {
    throw new BindingError(FailureType.ProofType, `${profile.name} typ is not ${profile.typ}`);
  }
  const alg = header['alg'];
  if (typeof alg !== 'string' || !algorithms.includes(alg)) {
    throw new BindingError(FailureType.ProofAlgorithm, `${profile.name} alg is not an accepted algorithm`);
  }
  if (Object.hasOwn(header, 'crit')) {
    throw new BindingError(FailureType.MalformedProof, `${profile.name} names critical header parameters that are not supported`);
  }
  return alg;
}
