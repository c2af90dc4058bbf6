import { BindingConfigError } from '../errors/binding-error.js';

/** E8: accepted in DPoP proofs and advertised in `algs` (RFC 9449 §7.1) unless configured. */
export const DEFAULT_DPOP_ALGORITHMS: readonly string[] = Object.freeze(['ES256', 'EdDSA', 'PS256']);

export const MIN_RSA_MODULUS_BITS = 2048; // bits
export const MAX_RSA_MODULUS_BITS = 4096; // bits

/** The one key type (and curve) an algorithm may be used with (E9). */
export interface KeyPin {
  readonly kty: 'EC' | 'OKP' | 'RSA';
  /** The curve for EC and OKP keys; RSA keys have none. */
  readonly crv: string | undefined;
  /** Length of each base64url coordinate (`x`, `y`) for the curve, RFC 7518 §6.2.1.2 "full size". */
  readonly coordinateLength: number | undefined;
}

const rsa: KeyPin = { kty: 'RSA', crv: undefined, coordinateLength: undefined };

/**
 * RFC 9449 §4.2: `alg` is "an identifier for a JWS asymmetric digital signature algorithm from
 * [IANA.JOSE.ALGS]. MUST NOT be none or an identifier for a symmetric algorithm (MAC)". Only the
 * asymmetric algorithms jose verifies on Node are listed; `none` and `HS*` can never be configured.
 * A Map, not an object literal, so a header `alg` such as `constructor` finds nothing.
 */
const KEY_PINS: ReadonlyMap<string, KeyPin> = new Map<string, KeyPin>([
  ['ES256', { kty: 'EC', crv: 'P-256', coordinateLength: 43 }],
  ['ES384', { kty: 'EC', crv: 'P-384', coordinateLength: 64 }],
  ['ES512', { kty: 'EC', crv: 'P-521', coordinateLength: 88 }],
  ['EdDSA', { kty: 'OKP', crv: 'Ed25519', coordinateLength: 43 }],
  ['Ed25519', { kty: 'OKP', crv: 'Ed25519', coordinateLength: 43 }],
  ['PS256', rsa],
  ['PS384', rsa],
  ['PS512', rsa],
  ['RS256', rsa],
  ['RS384', rsa],
  ['RS512', rsa],
]);

/**
 * The key type an allowed algorithm is pinned to. Throws for an algorithm outside the table:
 * callers look up only algorithms already found in the validated allow-list.
 */
export function keyPinOf(alg: string): KeyPin {
  const pin = KEY_PINS.get(alg);
  if (pin === undefined) throw new BindingConfigError(`DPoP: no key pin for algorithm ${alg}`);
  return pin;
}

/**
 * E8: validates the configured allow-list once, at construction: a non-empty list of distinct
 * asymmetric algorithms from the table above. Returns it frozen; the same list is advertised in
 * `algs`. Does not check a proof's `alg`: parseProofHeader does.
 */
export function resolveDpopAlgorithms(value: unknown): readonly string[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new BindingConfigError('DPoP: algorithms must be a non-empty array');
  }
  for (const alg of value) {
    if (typeof alg !== 'string' || !KEY_PINS.has(alg)) {
      throw new BindingConfigError(`DPoP: ${String(alg)} is not a supported asymmetric JWS algorithm`);
    }
  }
  if (new Set(value).size !== value.length) {
    throw new BindingConfigError('DPoP: algorithms contains duplicates');
  }
  return Object.freeze([...(value as string[])]);
}
