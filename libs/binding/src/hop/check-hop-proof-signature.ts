import { certificateJwsKey } from '../mtls/certificate-key.js';
import type { ValidatedCertificate } from '../mtls/certificate-path.js';
import { verifyPopSignature } from '../pop/verify-pop-signature.js';
import { HOP_PROFILE, type ParsedHopProof } from './parse-hop-proof.js';

/**
 * H4: RFC 7515 §5.2 (8) "Validate the JWS Signature against the JWS Signing Input" with the public
 * key of `x5c[0]`, the hop profile of verifyPopSignature: the key is the validated certificate's,
 * bound to exactly the header `alg` once per validated path (certificateJwsKey; H3's
 * checkKeyMatchesAlgorithm has pinned the key type to it), so the key never picks the algorithm.
 * RFC 7518 §3.4: the ES256 signature "MUST be a 64-octet sequence" (R || S); a DER-encoded one is
 * refused, not converted. Synchronous.
 * Returns the verified payload bytes (the claims set) for parseHopProofClaims: the claims are read
 * from these bytes only. A signature that does not verify fails with ProofSignature; a key of
 * another kind than `alg` with ProofKey; a payload segment of a length no base64url encoder
 * writes, or a verifier fault (the cause kept), with MalformedProof.
 * Does not check the certificate or any claim: the steps around it do.
 */
export function checkHopProofSignature(proof: ParsedHopProof, certificate: ValidatedCertificate): Uint8Array {
  const key = certificateJwsKey(certificate.publicKey, proof.header.alg);
  return verifyPopSignature(proof.jws, proof.jws.indexOf('.'), proof.header.alg, key, HOP_PROFILE);
}
