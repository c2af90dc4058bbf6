/**
 * Where the page keeps its tokens and the state of a login in progress: sessionStorage, so they
 * belong to this tab and end with it.
 *
 * The access and refresh tokens are DPoP-bound: tagged here with the thumbprint of the key they
 * are bound to, and dropped if the stored key is another one. A token read out of this storage
 * is useless elsewhere without the private key, which cannot be read out at all
 * (dpop-key-store.ts); a script running inside the page can still use both while it runs,
 * which no storage choice prevents.
 */
export interface StoredTokens {
  readonly access_token: string;
  readonly refresh_token?: string;
  /** Seconds since the epoch. */
  readonly expires_at?: number;
  readonly scope?: string;
  /** RFC 7638 thumbprint of the key the tokens are bound to (their `cnf.jkt`). */
  readonly jkt: string;
}

/** PKCE verifier and state between leaving for the login page and coming back to /callback. */
export interface PendingLogin {
  readonly state: string;
  readonly codeVerifier: string;
}

export const TOKENS_ITEM = 'hybrid-estate-spa:tokens';
const PENDING_ITEM = 'hybrid-estate-spa:pending-login';

function read(item: string): Record<string, unknown> | undefined {
  const text = sessionStorage.getItem(item);
  if (text === null) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export function loadTokens(jkt: string): StoredTokens | undefined {
  const value = read(TOKENS_ITEM);
  if (value === undefined || typeof value['access_token'] !== 'string' || value['jkt'] !== jkt) {
    sessionStorage.removeItem(TOKENS_ITEM);
    return undefined;
  }
  return value as unknown as StoredTokens;
}

export function saveTokens(tokens: StoredTokens): void {
  sessionStorage.setItem(TOKENS_ITEM, JSON.stringify(tokens));
}

export function clearTokens(): void {
  sessionStorage.removeItem(TOKENS_ITEM);
}

export function savePendingLogin(pending: PendingLogin): void {
  sessionStorage.setItem(PENDING_ITEM, JSON.stringify(pending));
}

/** Reads and forgets the pending login: a callback can be completed once. */
export function takePendingLogin(): PendingLogin | undefined {
  const value = read(PENDING_ITEM);
  sessionStorage.removeItem(PENDING_ITEM);
  if (value === undefined || typeof value['state'] !== 'string' || typeof value['codeVerifier'] !== 'string') return undefined;
  return { state: value['state'], codeVerifier: value['codeVerifier'] };
}
