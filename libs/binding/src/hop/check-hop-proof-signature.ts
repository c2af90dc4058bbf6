import { compactVerify, errors } from 'jose';
import { BindingError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import type { ValidatedCertificate } from '../mtls/certificate-path.js';
import type { ParsedHopProof } from './parse-hop-proof.js';

/**
 * H4: RFC 7515 §5.2 (8) "Validate the JWS Signature against the JWS Signing Input" with the public
 * key of `x5c[0]`, by jose's compactVerify allowed exactly the header `alg` (`algorithms: [alg]`;
 * checkKeyMatchesAlgorithm has pinned the key type to it, so the key never picks the algorithm).
 * jose takes the certificate's KeyObject as is and caches its WebCrypto form per key, so a
 * certificate served from the path cache is not re-imported per proof. RFC 7518 §3.4: the ES256
 * signature "MUST be a 64-octet sequence" (R || S); WebCrypto refuses a DER-encoded one, which is
 * not converted. jose also refuses a `crit` it does not understand, after parseHopProof has
 * already refused any `crit`.
 * Returns the verified payload bytes (the claims set) for parseHopProofClaims: the claims are
 * read from these bytes only. A signature that does not verify fails with ProofSignature; a JWS
 * jose cannot process (say, a signature segment that is not base64url of whole octets) with
 * MalformedProof, the jose error kept as `cause`.
 * Does not check the certificate or any claim: the steps around it do.
 */
export async function checkHopProofSignature(proof: ParsedHopProof, certificate: ValidatedCertificate): Promise<Uint8Array> {
  try {
    const { payload } = await compactVerify(proof.jws, certificate.publicKey, { algorithms: [proof.header.alg] });
    return payload;
  } catch (cause) {
    if (cause instanceof errors.JWSSignatureVerificationFailed) {
      throw new BindingError(FailureType.ProofSignature, 'hop proof signature does not verify', { cause });
    }
    throw new BindingError(FailureType.MalformedProof, 'hop proof could not be verified as a compact JWS', { cause });
  }
}
