// Test support only (never imported by library code, never packed): DPoP clients and their
// proofs (RFC 9449 §4.2), real keys and real signatures, for the library's specs, the e2e tests
// and the fuzz suites. Node and jose only.
import { createHash, randomUUID } from 'node:crypto';
import { CompactSign, calculateJwkThumbprint, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';

/** A DPoP client: a key pair, its public JWK and its RFC 7638 thumbprint (what `cnf.jkt` names). */
export interface ProofClient {
  readonly alg: string;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
  readonly jkt: string;
}

export async function createProofClient(alg: string = 'ES256'): Promise<ProofClient> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  return { alg, privateKey, publicJwk, jkt: await calculateJwkThumbprint(publicJwk) };
}

/** Signs `claims` with the client's key; `header` adds to or replaces `typ`, `alg`, `jwk`. */
export async function signProof(client: ProofClient, claims: Record<string, unknown>, header: Record<string, unknown> = {}): Promise<string> {
  const protectedHeader = { typ: 'dpop+jwt', alg: client.alg, jwk: client.publicJwk, ...header };
  const payload = new TextEncoder().encode(JSON.stringify(claims));
  return new CompactSign(payload).setProtectedHeader(protectedHeader as { alg: string }).sign(client.privateKey);
}

/** RFC 9449 §4.2 `ath`: the base64url SHA-256 of the access token's ASCII. */
export function accessTokenHash(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

export interface ProofOptions {
  readonly htm: string;
  readonly htu: string;
  /** The access token the proof travels with; its hash becomes `ath`. */
  readonly token?: string;
  readonly nonce?: string;
  /** Seconds to add to now for `iat` (negative: in the past). */
  readonly iatOffset?: number;
  readonly jti?: string;
  readonly header?: Record<string, unknown>;
  /** Added to, or replacing, the claims above. */
  readonly claims?: Record<string, unknown>;
}

/** A DPoP client for requests sent now, over HTTP: proofs made as RFC 9449 §4.2 describes. */
export class DpopClient implements ProofClient {
  private constructor(
    readonly alg: string,
    readonly privateKey: CryptoKey,
    readonly publicJwk: JWK,
    readonly jkt: string,
  ) {}

  static async create(alg: string = 'ES256'): Promise<DpopClient> {
    const client = await createProofClient(alg);
    return new DpopClient(client.alg, client.privateKey, client.publicJwk, client.jkt);
  }

  proof(options: ProofOptions): Promise<string> {
    const claims: Record<string, unknown> = {
      htm: options.htm,
      htu: options.htu,
      iat: Math.floor(Date.now() / 1000) + (options.iatOffset ?? 0),
      jti: options.jti ?? randomUUID(),
      ...(options.token === undefined ? {} : { ath: accessTokenHash(options.token) }),
      ...(options.nonce === undefined ? {} : { nonce: options.nonce }),
      ...options.claims,
    };
    return signProof(this, claims, options.header);
  }
}
