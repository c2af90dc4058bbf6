/**
 * An attacker outside the browser holding a token lifted out of the page: a Node process with a
 * key of its own. It makes proofs exactly as RFC 9449 §4.2 says (so only the key is wrong), and
 * follows the edge's use_dpop_nonce like an honest client, so the answer it ends with is the
 * edge's verdict on the binding, not on a missing nonce.
 */
import { createHash, randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

export interface EdgeVerdict {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly wwwAuthenticate: string | null;
}

async function verdict(response: Response): Promise<EdgeVerdict> {
  const text = await response.text();
  return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>), wwwAuthenticate: response.headers.get('www-authenticate') };
}

export class NodeThief {
  private constructor(
    private readonly privateKey: CryptoKey,
    private readonly publicJwk: JWK,
    readonly jkt: string,
  ) {}

  static async create(): Promise<NodeThief> {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const publicJwk = await exportJWK(publicKey);
    return new NodeThief(privateKey, publicJwk, await calculateJwkThumbprint(publicJwk, 'sha256'));
  }

  private proof(method: string, url: string, token: string, nonce: string | undefined): Promise<string> {
    return new SignJWT({
      htm: method,
      htu: url,
      iat: Math.floor(Date.now() / 1000),
      jti: randomUUID(),
      ath: createHash('sha256').update(token).digest('base64url'),
      ...(nonce === undefined ? {} : { nonce }),
    })
      .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: this.publicJwk })
      .sign(this.privateKey);
  }

  /** `Authorization: DPoP <token>` with a proof from this (wrong) key; one nonce retry. */
  async replayWithOwnKey(url: string, token: string): Promise<EdgeVerdict> {
    const send = async (nonce?: string) =>
      fetch(url, { headers: { Authorization: `DPoP ${token}`, DPoP: await this.proof('GET', url, token, nonce) } });
    const first = await send();
    const nonce = first.headers.get('dpop-nonce');
    const askedForNonce = /error="use_dpop_nonce"/.test(first.headers.get('www-authenticate') ?? '');
    if (first.status !== 401 || nonce === null || !askedForNonce) return verdict(first);
    await first.body?.cancel();
    return verdict(await send(nonce));
  }
}

/** The lifted token with no proof at all, under the given scheme. */
export async function replayWithoutProof(url: string, token: string, scheme: 'DPoP' | 'Bearer'): Promise<EdgeVerdict> {
  return verdict(await fetch(url, { headers: { Authorization: `${scheme} ${token}` } }));
}
