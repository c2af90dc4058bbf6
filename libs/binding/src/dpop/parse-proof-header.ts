import { BindingError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import { checkProofJwk, type PublicJwk } from './check-proof-jwk.js';
import { decodeSegment, parseJsonObject } from './compact-jws.js';

/** What a proof header contributes once checked: the algorithm and the key, nothing else. */
export interface ProofHeader {
  readonly alg: string;
  readonly jwk: PublicJwk;
}

/** RFC 9449 §4.2 "typ: with value dpop+jwt" (explicit typing, RFC 8725 §3.11). */
export const DPOP_PROOF_TYPE = 'dpop+jwt';

/**
 * E6-E9 on the protected header of a DPoP proof (RFC 9449 §4.2, §4.3):
 * - E6: a JSON object; `crit` refused whatever it lists, since no extension is understood here
 *   (RFC 7515 §4.1.11: "If any of the listed extension Header Parameters are not understood and
 *   supported by the recipient, then the JWS is invalid");
 * - E7: §4.3 (4) "the `typ` JOSE header parameter has the value `dpop+jwt`", compared exactly;
 * - E8: §4.3 (5) "the `alg` JOSE header parameter indicates a registered asymmetric digital
 *   signature algorithm ..., is not `none`, is supported by the application, and is acceptable per
 *   local policy": it must be in the configured allow-list;
 * - E9: the `jwk`, a public key of the kind `alg` is pinned to (checkProofJwk).
 * The key comes only from `jwk`: `kid`, `jku`, `x5u` and `x5c` are never read. Other parameters are
 * ignored (E10). Does not verify the signature or compute the thumbprint: ProofKeyCache and
 * verifyProofSignature do.
 */
export function parseProofHeader(segment: string, algorithms: readonly string[]): ProofHeader {
  const header = parseJsonObject(decodeSegment(segment), 'header');
  if (header['typ'] !== DPOP_PROOF_TYPE) {
    throw new BindingError(FailureType.ProofType, `DPoP proof typ is not ${DPOP_PROOF_TYPE}`);
  }
  const alg = header['alg'];
  if (typeof alg !== 'string' || !algorithms.includes(alg)) {
    throw new BindingError(FailureType.ProofAlgorithm, 'DPoP proof alg is not an accepted algorithm');
  }
  if (Object.hasOwn(header, 'crit')) {
    throw new BindingError(FailureType.MalformedProof, 'DPoP proof names critical header parameters that are not supported');
  }
  return { alg, jwk: checkProofJwk(header['jwk'], alg) };
}
