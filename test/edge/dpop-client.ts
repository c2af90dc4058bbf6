import { createHash, randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

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
  readonly claims?: Record<string, unknown>;
}

/** A DPoP client for tests: one ES256 key pair, proofs made as RFC 9449 §4.2 describes. */
export class DpopClient {
  private constructor(
    private readonly privateKey: CryptoKey,
    readonly publicJwk: JWK,
    readonly jkt: string,
  ) {}

  static async create(): Promise<DpopClient> {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const publicJwk = await exportJWK(publicKey);
    return new DpopClient(privateKey, publicJwk, await calculateJwkThumbprint(publicJwk, 'sha256'));
  }

  async proof(options: ProofOptions): Promise<string> {
    const claims: Record<string, unknown> = {
      htm: options.htm,
      htu: options.htu,
      iat: Math.floor(Date.now() / 1000) + (options.iatOffset ?? 0),
      jti: options.jti ?? randomUUID(),
      ...(options.token === undefined ? {} : { ath: createHash('sha256').update(options.token).digest('base64url') }),
      ...(options.nonce === undefined ? {} : { nonce: options.nonce }),
      ...options.claims,
    };
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: this.publicJwk, ...options.header })
      .sign(this.privateKey);
  }
}
