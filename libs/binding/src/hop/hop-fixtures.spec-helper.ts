// Test fixtures only (never imported by library code): an estate around one receiving service,
// with a real STS key, a real jose-based token verifier, real replay store and revocation list.
// Certificates come from the spec (test-support/pki.ts), passed in as PEM and DER; tokens and
// hand-built proofs from the library's shared builders (test-support/access-tokens.ts, hop-proofs.ts).
import { createLocalJWKSet, errors, exportJWK, generateKeyPair, jwtVerify, type JWTPayload } from 'jose';
import { signAccessToken } from '../../test-support/access-tokens.js';
import { craftHopProof, hopProofClaims } from '../../test-support/hop-proofs.js';
import { sha256Base64url } from '../crypto/digest.js';
import { BindingError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import { createCertificatePathValidator } from '../mtls/certificate-path.js';
import { MemoryReplayStore } from '../replay/memory-replay-store.js';
import { MemoryRevocationList } from '../revocation/memory-revocation-list.js';
import type { AccessTokenClaims, AccessTokenVerifier } from '../token/access-token.js';
import { createHopProofSigner, type HopProofSigner } from './sign-hop-proof.js';
import { createHopVerifier, type HopVerifier, type HopVerifierOptions } from './verify-hop-proof.js';

export const STS = 'spiffe://estate.local/sts';
export const ORDERS = 'spiffe://estate.local/orders';
export const INVENTORY = 'spiffe://estate.local/inventory';
export const EDGE = 'spiffe://estate.local/edge';
export const SUBJECT = 'inventory.reserve';
export const PAYLOAD = Object.freeze({ sku: 'A-1', quantity: 2 });

/** What the spec's PKI hands over: a workload certificate with its private key and SPIFFE ID. */
export interface Credential {
  readonly certificatePem: string;
  readonly privateKeyPem: string;
  readonly der: Uint8Array;
  readonly spiffeId: string;
}

export interface Estate {
  readonly now: number;
  setNow(seconds: number): void;
  readonly revocations: MemoryRevocationList;
  readonly verifier: HopVerifier;
  /** A verifier built with other options over the same keys, stores and clock. */
  verifierWith(overrides: Partial<HopVerifierOptions>, tokenAudience?: string): HopVerifier;
  /** An STS-issued token; `claims` overrides the defaults (aud INVENTORY, act = the caller, cnf = its cert). */
  mintToken(caller: Credential, claims?: Record<string, unknown>, header?: Record<string, unknown>): Promise<string>;
  signer(caller: Credential, chainDer?: readonly Uint8Array[]): HopProofSigner;
  /**
   * A hop proof built by hand, for what our signer never writes: `header` and `claims`
   * override the defaults (x5c = the caller's certificate), `signingKeyPem` another key.
   */
  craftProof(caller: Credential, token: string, options?: CraftOptions): Promise<string>;
}

export interface CraftOptions {
  readonly header?: Record<string, unknown>;
  readonly claims?: Record<string, unknown>;
  /** The claims segment's text, verbatim, instead of the JSON of `claims`. */
  readonly rawClaims?: string;
  readonly signingKeyPem?: string;
  readonly alg?: 'ES256' | 'EdDSA';
}

/** A real AccessTokenVerifier: jose jwtVerify over a local key set, failures as BindingErrors. */
export function joseTokenVerifier(keys: ReturnType<typeof createLocalJWKSet>, clock: () => number, audience?: string): AccessTokenVerifier {
  return {
    async verify(token: string): Promise<AccessTokenClaims> {
      try {
        const { payload } = await jwtVerify(token, keys, {
          issuer: STS,
          ...(audience === undefined ? {} : { audience }),
          typ: 'at+jwt',
          algorithms: ['ES256'],
          currentDate: new Date(clock() * 1000),
        });
        return Object.freeze(payload as AccessTokenClaims);
      } catch (cause) {
        if (cause instanceof errors.JWTExpired) throw new BindingError(FailureType.TokenExpired, 'token expired', { cause });
        if (cause instanceof errors.JWTClaimValidationFailed) {
          const type = { aud: FailureType.TokenAudience, iss: FailureType.TokenIssuer, typ: FailureType.TokenType }[cause.claim];
          if (type !== undefined) throw new BindingError(type, `token ${cause.claim}`, { cause });
        }
        if (cause instanceof errors.JWSSignatureVerificationFailed) throw new BindingError(FailureType.TokenSignature, 'token signature', { cause });
        throw new BindingError(FailureType.TokenMalformed, 'token invalid', { cause });
      }
    },
  };
}

export async function createEstate(anchorPem: string, now = Math.floor(Date.now() / 1000)): Promise<Estate> {
  let current = now;
  const clock = (): number => current;
  const sts = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(sts.publicKey)), kid: 'sts-1', alg: 'ES256', use: 'sig' };
  const keys = createLocalJWKSet({ keys: [jwk] });
  const certificates = createCertificatePathValidator({ trustAnchorsPem: anchorPem, trustDomain: 'estate.local', clock });
  const replay = new MemoryReplayStore({ clock, sweepIntervalMs: 0 });
  const revocations = new MemoryRevocationList({ clock });
  const base: HopVerifierOptions = {
    audience: INVENTORY,
    certificates,
    tokens: joseTokenVerifier(keys, clock, INVENTORY),
    replay,
    revocations,
    clock,
  };
  return {
    get now() {
      return current;
    },
    setNow(seconds) {
      current = seconds;
    },
    revocations,
    verifier: createHopVerifier(base),
    verifierWith(overrides, tokenAudience) {
      return createHopVerifier({ ...base, tokens: joseTokenVerifier(keys, clock, tokenAudience), ...overrides });
    },
    async mintToken(caller, claims = {}, header = {}) {
      const body: JWTPayload = {
        iss: STS,
        sub: 'alice',
        aud: INVENTORY,
        iat: current,
        exp: current + 60,
        jti: `token-${Math.random().toString(36).slice(2)}`,
        scope: 'inventory:reserve',
        act: { sub: caller.spiffeId, act: { sub: EDGE } },
        cnf: { 'x5t#S256': sha256Base64url(caller.der) },
        ...claims,
      };
      return signAccessToken(sts.privateKey, body, { kid: 'sts-1', ...header });
    },
    signer(caller, chainDer = []) {
      return createHopProofSigner({ privateKey: caller.privateKeyPem, certificateChainDer: [caller.der, ...chainDer], clock });
    },
    async craftProof(caller, token, options = {}) {
      const claims = hopProofClaims({ aud: INVENTORY, sub: SUBJECT, token, payload: PAYLOAD, iat: current, exp: current + 60 });
      const signingKeyPem = options.signingKeyPem ?? caller.privateKeyPem;
      return craftHopProof({ ...options, x5c: [caller.der], signingKeyPem, claims: { ...claims, ...options.claims } });
    },
  };
}
