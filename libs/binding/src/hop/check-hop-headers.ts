import { BindingError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';

/** The values of the two hop headers as the transport gives them: every value, in order. */
export interface HopHeaderValues {
  /** All `Hop-Token` values; `undefined` or empty when the header is absent. */
  readonly token: readonly string[] | undefined;
  /** All `Hop-Proof` values; `undefined` or empty when the header is absent. */
  readonly proof: readonly string[] | undefined;
}

/** Size caps applied before any parsing, in characters (both headers are ASCII when valid). */
export interface HopHeaderLimits {
  readonly maxTokenLength: number;
  readonly maxProofLength: number;
}

/**
 * H1: exactly one `Hop-Token` and one `Hop-Proof` value, each non-empty and under its size cap,
 * before anything is decoded: checkSingleHopToken, then checkSingleHopProof (the token is checked
 * first). Two tokens or two proofs would leave the choice of which one the checks see to the order
 * of headers, as RFC 9449 §4.3 (1) rules out for DPoP: "there is not more than one DPoP HTTP
 * request header field".
 * Does not look inside either value: parseHopProof and the token verifier do.
 */
export function checkHopHeaders(headers: HopHeaderValues, limits: HopHeaderLimits): { token: string; proof: string } {
  const token = checkSingleHopToken(headers.token, limits.maxTokenLength);
  return { token, proof: checkSingleHopProof(headers.proof, limits.maxProofLength) };
}

/**
 * H1, the token half: one non-empty `Hop-Token` value of at most `maxLength` characters. Missing
 * or empty: MissingCredentials; two values, even identical: MultipleAuthorization; over the cap:
 * TokenMalformed. Does not look inside the value: the token verifier does.
 */
export function checkSingleHopToken(values: readonly string[] | undefined, maxLength: number): string {
  const tokens = values ?? [];
  if (tokens.length === 0 || (tokens.length === 1 && tokens[0] === '')) {
    throw new BindingError(FailureType.MissingCredentials, 'Hop-Token header is missing');
  }
  if (tokens.length > 1) {
    throw new BindingError(FailureType.MultipleAuthorization, 'more than one Hop-Token header');
  }
  const [token] = tokens;
  if (typeof token !== 'string' || token.length > maxLength) {
    throw new BindingError(FailureType.TokenMalformed, `Hop-Token is not a string of at most ${maxLength} characters`);
  }
  return token;
}

/**
 * H1, the proof half: one non-empty `Hop-Proof` value of at most `maxLength` characters, before
 * any decoding. Missing or empty: MissingProof; two values: MultipleProofs; over the cap:
 * ProofTooLarge. Does not look inside the value: parseHopProof does.
 */
export function checkSingleHopProof(values: readonly string[] | undefined, maxLength: number): string {
  const proofs = values ?? [];
  if (proofs.length === 0 || (proofs.length === 1 && proofs[0] === '')) {
    throw new BindingError(FailureType.MissingProof, 'Hop-Proof header is missing');
  }
  if (proofs.length > 1) {
    throw new BindingError(FailureType.MultipleProofs, 'more than one Hop-Proof header');
  }
  const [proof] = proofs;
  if (typeof proof !== 'string' || proof.length > maxLength) {
    throw new BindingError(FailureType.ProofTooLarge, `Hop-Proof is not a string of at most ${maxLength} characters`);
  }
  return proof;
}
