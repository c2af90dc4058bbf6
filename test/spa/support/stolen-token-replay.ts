/**
 * An attacker outside the browser holding a token lifted out of the page: a Node process with a
 * key of its own. It makes proofs exactly as RFC 9449 §4.2 says (so only the key is wrong), and
 * follows the edge's use_dpop_nonce like an honest client, so the answer it ends with is the
 * edge's verdict on the binding, not on a missing nonce.
 */
import { DpopClient } from '../../../libs/binding/test-support/dpop-proofs.js';

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
  private constructor(private readonly key: DpopClient) {}

  static async create(): Promise<NodeThief> {
    return new NodeThief(await DpopClient.create());
  }

  get jkt(): string {
    return this.key.jkt;
  }

  private proof(method: string, url: string, token: string, nonce: string | undefined): Promise<string> {
    return this.key.proof({ htm: method, htu: url, token, ...(nonce === undefined ? {} : { nonce }) });
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
