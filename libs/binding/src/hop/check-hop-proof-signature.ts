import { verifyJwsSignature } from '../crypto/jws-signature.js';
import { BindingError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import { certificateJwsKey } from '../mtls/certificate-key.js';
import type { ValidatedCertificate } from '../mtls/certificate-path.js';
import type { ParsedHopProof } from './parse-hop-proof.js';

/**
 * H4: RFC 7515 §5.2 (8) "Validate the JWS Signature against the JWS Signing Input" with the public
 * key of `x5c[0]`, under exactly the header `alg` (checkKeyMatchesAlgorithm has pinned the key type
 * to it, and certificateJwsKey binds the key to it once per validated path, so the key never picks
 * the algorithm), by node:crypto's one-shot verify (verifyJwsSignature). RFC 7518 §3.4: the ES256
 * signature "MUST be a 64-octet sequence" (R || S); a DER-encoded one is refused, not converted.
 * parseHopProof has already refused any `crit`, and checked the three segments, their alphabet and
 * the signature's canonical spelling.
 * Returns the verified payload bytes (the claims set) for parseHopProofClaims: the claims are
 * read from these bytes only. A signature that does not verify fails with ProofSignature; a key of
 * another kind than `alg` with ProofKey; a payload segment of a length no base64url encoder writes,
 * or a verifier fault (the cause kept), with MalformedProof.
 * Does not check the certificate or any claim: the steps around it do.
 */
export async function checkHopProofSignature(proof: ParsedHopProof, certificate: ValidatedCertificate): Promise<Uint8Array> {
  const { jws } = proof;
  const payloadStart = jws.indexOf('.') + 1;
  const signatureStart = jws.lastIndexOf('.') + 1;
  if ((signatureStart - payloadStart - 1) % 4 === 1) {
    throw new BindingError(FailureType.MalformedProof, 'hop proof payload is not base64url of whole octets');
  }
  const key = certificateJwsKey(certificate.publicKey, proof.header.alg);
  let verified: boolean;
  try {
    verified = verifyJwsSignature(proof.header.alg, key, jws.slice(0, signatureStart - 1), Buffer.from(jws.slice(signatureStart), 'base64url'));
  } catch (cause) {
    throw new BindingError(FailureType.MalformedProof, 'hop proof could not be verified as a compact JWS', { cause });
  }
  if (!verified) throw new BindingError(FailureType.ProofSignature, 'hop proof signature does not verify');
  return Buffer.from(jws.slice(payloadStart, signatureStart - 1), 'base64url');
}
