/**
 * The tokens between runs of the CLI, in a 0600 file next to the key. They are useless without
 * the key (DPoP-bound), but still kept private: a refresh token is a long-lived credential.
 *
 * Tokens record the issuer and the key thumbprint they were issued for; a file that does not
 * match the current issuer and key is ignored rather than sent.
 */
import { rm } from 'node:fs/promises';
import { readPrivateFile, writePrivateFile } from '#estate';

export interface StoredTokens {
  readonly issuer: string;
  /** Thumbprint of the DPoP key the tokens are bound to. */
  readonly jkt: string;
  readonly access_token: string;
  readonly token_type: string;
  /** Epoch seconds; computed from expires_in when received. */
  readonly expires_at: number | undefined;
  readonly refresh_token: string | undefined;
  readonly scope: string | undefined;
}

export class TokenStore {
  constructor(readonly file: string) {}

  async load(issuer: string, jkt: string): Promise<StoredTokens | undefined> {
    const text = await readPrivateFile(this.file);
    if (text === undefined) return undefined;
    let tokens: StoredTokens;
    try {
      tokens = JSON.parse(text) as StoredTokens;
    } catch {
      return undefined; // a corrupt token file only means logging in again
    }
    if (tokens.issuer !== issuer || tokens.jkt !== jkt || typeof tokens.access_token !== 'string') return undefined;
    return tokens;
  }

  async save(tokens: StoredTokens): Promise<void> {
    await writePrivateFile(this.file, `${JSON.stringify(tokens, null, 2)}\n`);
  }

  async clear(): Promise<void> {
    await rm(this.file, { force: true });
  }
}
