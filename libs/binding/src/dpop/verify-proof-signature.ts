import { verifyJwsSignature } from '../crypto/jws-signature.js';
import { BindingError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import type { ProofKey } from './proof-key-cache.js';

/**
 * E11: RFC 9449 §4.3 (6) "the JWT signature verifies with the public key contained in the `jwk`
 * JOSE header parameter". The key is the one resolved from this very proof's header: the proof
 * must begin with exactly the header segment `proofKey` was resolved from, so its `alg` is the
 * header's, checked and bound to the key once (createJwsKey). The signature is checked under that
 * `alg` only, by node:crypto's one-shot verify (verifyJwsSignature, RFC 7515 §5.2 (8)): no other
 * algorithm, no other key, no fallback. Synchronous: nothing waits on a thread pool.
 * Returns the payload bytes, decoded once, for parseProofClaims.
 * Expects a proof that passed splitCompactJws (E6: three segments of the base64url alphabet, the
 * signature spelled canonically); an input that is not three segments, or whose payload or
 * signature segment is a length no base64url encoder writes, is MalformedProof, as jose refused it.
 * Does not read the claims: parseProofClaims does.
 */
export function verifyProofSignature(proof: string, proofKey: ProofKey): Uint8Array {
  const headerEnd = proofKey.header.length;
  const signatureStart = proof.lastIndexOf('.') + 1;
  if (
    proof.charCodeAt(headerEnd) !== 0x2e || // '.'
    !proof.startsWith(proofKey.header) ||
    proof.indexOf('.', headerEnd + 1) !== signatureStart - 1 ||
    (signatureStart - headerEnd - 2) % 4 === 1 ||
    (proof.length - signatureStart) % 4 === 1
  ) {
    throw new BindingError(FailureType.MalformedProof, 'DPoP proof could not be verified as a compact JWS with the key of its own header');
  }
  const signature = Buffer.from(proof.slice(signatureStart), 'base64url');
  let verified: boolean;
  try {
    verified = verifyJwsSignature(proofKey.alg, proofKey.key, proof.slice(0, signatureStart - 1), signature);
  } catch (cause) {
    throw new BindingError(FailureType.MalformedProof, 'DPoP proof could not be verified as a compact JWS', { cause });
  }
  if (!verified) throw new BindingError(FailureType.ProofSignature, 'DPoP proof signature does not verify');
  return Buffer.from(proof.slice(headerEnd + 1, signatureStart - 1), 'base64url');
}
