// Test support only (never imported by library code, never packed): hop proofs built by hand, for
// what the library's signer never writes (any header, any claims or claims text, an `x5c` of one
// certificate while another key signs). Used by the hop specs, the hop fuzz suite and the e2e hop
// attacks; a legitimate proof comes from the real signer (createHopProofSigner). Jest-only: the
// claims use the library's own `ath` and `pdh` digests, so the bench never compiles it.
import { createPrivateKey, randomUUID } from 'node:crypto';
import { sha256Base64url } from '../src/crypto/digest.js';
import { payloadHash } from '../src/hop/payload-hash.js';
import { base64urlJson, signCompact, type CompactAlgorithm } from './compact-jws.js';

export interface HopClaimsInput {
  readonly aud: string;
  readonly sub: string;
  /** The Hop-Token the proof travels with; its hash becomes `ath`. */
  readonly token: string;
  /** The message payload; its RFC 8785 hash becomes `pdh`. */
  readonly payload: unknown;
  readonly iat: number;
  readonly exp: number;
  readonly jti?: string;
}

/** The claims a correct hop proof carries for this message, in the signer's order. */
export function hopProofClaims(input: HopClaimsInput): Record<string, unknown> {
  return {
    jti: input.jti ?? `crafted-${randomUUID()}`,
    iat: input.iat,
    exp: input.exp,
    aud: input.aud,
    sub: input.sub,
    ath: sha256Base64url(input.token),
    pdh: payloadHash(input.payload),
  };
}

export interface CraftedHopProof {
  /** The `x5c` certificates as DER, leaf first. */
  readonly x5c: readonly Uint8Array[];
  /** The key that signs (PKCS#8 PEM): the leaf's, or another one for a stolen-certificate attack. */
  readonly signingKeyPem: string;
  /** Default ES256; signs under it whatever `header.alg` says. */
  readonly alg?: CompactAlgorithm;
  /** Added to, or replacing, `typ: hop+jwt`, `alg` and `x5c`. */
  readonly header?: Record<string, unknown>;
  readonly claims: Record<string, unknown>;
  /** The claims segment's text, verbatim, instead of the JSON of `claims`. */
  readonly rawClaims?: string;
}

/** A signed compact hop proof exactly as described, nothing checked or corrected. */
export function craftHopProof(proof: CraftedHopProof): string {
  const alg = proof.alg ?? 'ES256';
  const header = { typ: 'hop+jwt', alg, x5c: proof.x5c.map((der) => Buffer.from(der).toString('base64')), ...proof.header };
  const claims = proof.rawClaims === undefined ? base64urlJson(proof.claims) : Buffer.from(proof.rawClaims).toString('base64url');
  return signCompact(base64urlJson(header), claims, createPrivateKey(proof.signingKeyPem), alg);
}
