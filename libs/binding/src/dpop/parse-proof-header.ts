import { checkPopHeader, decodePopHeader } from '../pop/pop-header.js';
import type { PopProfile } from '../pop/pop-profile.js';
import { checkProofJwk, type PublicJwk } from './check-proof-jwk.js';

/** What a proof header contributes once checked: the algorithm and the key, nothing else. */
export interface ProofHeader {
  readonly alg: string;
  readonly jwk: PublicJwk;
}

/** RFC 9449 §4.2 "typ: with value dpop+jwt" (explicit typing, RFC 8725 §3.11). */
export const DPOP_PROOF_TYPE = 'dpop+jwt';

/** The DPoP profile of the proof-of-possession JWS core (pop/): the key comes from `jwk`. */
export const DPOP_PROFILE: PopProfile = Object.freeze({ name: 'DPoP proof', typ: DPOP_PROOF_TYPE });

/**
 * E6-E9 on the protected header of a DPoP proof (RFC 9449 §4.2, §4.3), the DPoP profile of the
 * core's header steps:
 * - E6: a JSON object (decodePopHeader);
 * - E7, E8, E6: `typ` exactly `dpop+jwt`, `alg` in the configured allow-list, no `crit`
 *   (checkPopHeader);
 * - E9: the key parameter of this profile, `jwk`: a public key of the kind `alg` is pinned to
 *   (checkProofJwk).
 * The key comes only from `jwk`: `kid`, `jku`, `x5u` and `x5c` are never read. Other parameters are
 * ignored (E10). Does not verify the signature or compute the thumbprint: ProofKeyCache and
 * verifyProofSignature do.
 */
export function parseProofHeader(segment: string, algorithms: readonly string[]): ProofHeader {
  const header = decodePopHeader(segment, DPOP_PROFILE);
  const alg = checkPopHeader(header, DPOP_PROFILE, algorithms);
  return { alg, jwk: checkProofJwk(header['jwk'], alg) };
}
