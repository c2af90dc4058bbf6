import { BindingError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import { verifyPopSignature } from '../pop/verify-pop-signature.js';
import { DPOP_PROFILE } from './parse-proof-header.js';
import type { ProofKey } from './proof-key-cache.js';

/**
 * E11: RFC 9449 §4.3 (6) "the JWT signature verifies with the public key contained in the `jwk`
 * JOSE header parameter", the DPoP profile of verifyPopSignature. The key is the one resolved from
 * this very proof's header: the proof must begin with exactly the header segment `proofKey` was
 * resolved from, so its `alg` is the header's, checked and bound to the key once (createJwsKey).
 * The signature is then checked under that `alg` only (verifyPopSignature). Synchronous.
 * Returns the payload bytes, decoded once, for parseProofClaims.
 * Expects a proof that passed splitCompactJws (E6); a proof that begins with another header is
 * MalformedProof, as are the framing faults verifyPopSignature refuses.
 * Does not read the claims: parseProofClaims does.
 */
export function verifyProofSignature(proof: string, proofKey: ProofKey): Uint8Array {
  if (!proof.startsWith(proofKey.header)) {
    throw new BindingError(FailureType.MalformedProof, 'DPoP proof could not be verified as a compact JWS with the key of its own header');
  }
  return verifyPopSignature(proof, proofKey.header.length, proofKey.alg, proofKey.key, DPOP_PROFILE);
}
