import { verifyJwsSignature, type JwsKey } from '../crypto/jws-signature.js';
import { BindingError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import type { PopProfile } from './pop-profile.js';

/**
 * E11, H4: RFC 7515 §5.2 (8) "Validate the JWS Signature against the JWS Signing Input" of a
 * compact proof whose header segment ends at `headerEnd` (the index of the first '.'), under `alg`
 * only, with `key` bound to that `alg` once where it was cached (createJwsKey: the key never picks
 * the algorithm), by node:crypto's one-shot verify (verifyJwsSignature). RFC 7518 §3.4: an ECDSA
 * signature is R || S of the exact length; a DER-encoded one is refused, never converted. No other
 * algorithm, no other key, no fallback; synchronous, so nothing waits on a thread pool.
 * Returns the payload bytes, decoded once, for the profile's claims parser: no claim is read
 * before this. A signature that does not verify fails with ProofSignature; anything that is not
 * three segments from `headerEnd`, or a payload or signature segment of a length no base64url
 * encoder writes, or a verifier fault (the cause kept), with MalformedProof, as jose refused them.
 * Expects a proof that passed splitCompactJws (the alphabet, the signature's canonical spelling).
 * Does not decide where the key comes from (the profile does: `jwk` or `x5c`) nor read the claims.
 */
export function verifyPopSignature(proof: string, headerEnd: number, alg: string, key: JwsKey, profile: PopProfile): Uint8Array {
  const signatureStart = proof.lastIndexOf('.') + 1;
  if (
    proof.charCodeAt(headerEnd) !== 0x2e || // '.'
    proof.indexOf('.', headerEnd + 1) !== signatureStart - 1 ||
    (signatureStart - headerEnd - 2) % 4 === 1 ||
    (proof.length - signatureStart) % 4 === 1
  ) {
    throw new BindingError(FailureType.MalformedProof, `${profile.name} is not a compact JWS of whole octets`);
  }
  let verified: boolean;
  try {
    verified = verifyJwsSignature(alg, key, proof.slice(0, signatureStart - 1), Buffer.from(proof.slice(signatureStart), 'base64url'));
  } catch (cause) {
    throw new BindingError(FailureType.MalformedProof, `${profile.name} could not be verified as a compact JWS`, { cause });
  }
  if (!verified) throw new BindingError(FailureType.ProofSignature, `${profile.name} signature does not verify`);
  return Buffer.from(proof.slice(headerEnd + 1, signatureStart - 1), 'base64url');
}
