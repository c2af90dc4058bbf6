import { compactVerify, errors } from 'jose';
import { BindingError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import type { ProofKey } from './proof-key-cache.js';

/**
 * E11: RFC 9449 §4.3 (6) "the JWT signature verifies with the public key contained in the `jwk`
 * JOSE header parameter". The key is the one resolved from this very proof's header, and jose is
 * allowed exactly the header's `alg` (`algorithms: [alg]`): no other algorithm, no other key, no
 * fallback. Returns the payload bytes, decoded once, for parseProofClaims.
 * Does not read the claims: parseProofClaims does.
 */
export async function verifyProofSignature(proof: string, proofKey: ProofKey): Promise<Uint8Array> {
  try {
    const { payload } = await compactVerify(proof, proofKey.key, { algorithms: [proofKey.alg] });
    return payload;
  } catch (cause) {
    if (cause instanceof errors.JWSSignatureVerificationFailed) {
      throw new BindingError(FailureType.ProofSignature, 'DPoP proof signature does not verify', { cause });
    }
    throw new BindingError(FailureType.MalformedProof, 'DPoP proof could not be verified as a compact JWS', { cause });
  }
}
