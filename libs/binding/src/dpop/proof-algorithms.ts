import { isJwsAlgorithm, jwkPinOf, type JwkPin } from '../crypto/jws-signature.js';
import { BindingConfigError } from '../errors/binding-error.js';

/** E8: accepted in DPoP proofs and advertised in `algs` (RFC 9449 §7.1) unless configured. */
export const DEFAULT_DPOP_ALGORITHMS: readonly string[] = Object.freeze(['ES256', 'EdDSA', 'PS256']);

/** E9: a larger modulus costs the verifier for nothing; RFC 7518 sets no upper bound, this policy does. */
export const MAX_RSA_MODULUS_BITS = 4096; // bits

/**
 * The key type an allowed algorithm is pinned to (E9), read from the one algorithm table
 * (crypto/jws-signature.ts). Throws for an algorithm outside the table: callers look up only
 * algorithms already found in the validated allow-list.
 */
export function keyPinOf(alg: string): JwkPin {
  const pin = jwkPinOf(alg);
  if (pin === undefined) throw new BindingConfigError(`DPoP: no key pin for algorithm ${alg}`);
  return pin;
}

/**
 * E8: validates the configured allow-list once, at construction: a non-empty list of distinct
 * algorithms from the one table of asymmetric JWS algorithms (crypto/jws-signature.ts; RFC 9449
 * §4.2: `alg` "MUST NOT be none or an identifier for a symmetric algorithm (MAC)", and neither is
 * in the table). Returns it frozen; the same list is advertised in `algs`.
 * Does not check a proof's `alg`: parseProofHeader does.
 */
export function resolveDpopAlgorithms(value: unknown): readonly string[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new BindingConfigError('DPoP: algorithms must be a non-empty array');
  }
  for (const alg of value) {
    if (typeof alg !== 'string' || !isJwsAlgorithm(alg)) {
      throw new BindingConfigError(`DPoP: ${String(alg)} is not a supported asymmetric JWS algorithm`);
    }
  }
  if (new Set(value).size !== value.length) {
    throw new BindingConfigError('DPoP: algorithms contains duplicates');
  }
  return Object.freeze([...(value as string[])]);
}
