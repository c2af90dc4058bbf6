/**
 * Code the tests run inside the page (page.evaluate), as strings: it uses browser globals
 * (indexedDB, sessionStorage) that the Node-side type-check does not know. The names match
 * apps/spa/web/dpop-key-store.ts and token-session.ts.
 */
export const KEY_DATABASE = 'hybrid-estate-spa';
export const KEY_STORE = 'keys';
export const DPOP_KEY_ID = 'dpop';
export const TOKENS_ITEM = 'hybrid-estate-spa:tokens';

export interface StoredKeyReport {
  readonly found: boolean;
  readonly type?: string;
  readonly extractable?: boolean;
  readonly algorithm?: { readonly name: string; readonly namedCurve: string };
  readonly usages?: readonly string[];
  /** The DOMException name (or "exported") for each export format tried on the private key. */
  readonly exportAttempts?: Readonly<Record<string, string>>;
  readonly publicJwk?: { readonly kty: string; readonly crv: string; readonly x: string; readonly y: string };
}

/** Reads the stored key pair straight from IndexedDB and tries to export its private key. */
export const INSPECT_STORED_KEY = `(async () => {
  const db = await new Promise((resolve, reject) => {
    const request = indexedDB.open(${JSON.stringify(KEY_DATABASE)});
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const pair = await new Promise((resolve, reject) => {
    const request = db.transaction(${JSON.stringify(KEY_STORE)}, 'readonly').objectStore(${JSON.stringify(KEY_STORE)}).get(${JSON.stringify(DPOP_KEY_ID)});
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  db.close();
  if (!pair || !(pair.privateKey instanceof CryptoKey)) return { found: false };
  const exportAttempts = {};
  for (const format of ['jwk', 'pkcs8']) {
    try {
      await crypto.subtle.exportKey(format, pair.privateKey);
      exportAttempts[format] = 'exported';
    } catch (error) {
      exportAttempts[format] = error && error.name ? error.name : String(error);
    }
  }
  const { kty, crv, x, y } = await crypto.subtle.exportKey('jwk', pair.publicKey);
  return {
    found: true,
    type: pair.privateKey.type,
    extractable: pair.privateKey.extractable,
    algorithm: { name: pair.privateKey.algorithm.name, namedCurve: pair.privateKey.algorithm.namedCurve },
    usages: [...pair.privateKey.usages],
    exportAttempts,
    publicJwk: { kty, crv, x, y },
  };
})()`;

/** What an injected script could lift out of the page: the stored access token. */
export const LIFT_ACCESS_TOKEN = `(() => {
  const stored = sessionStorage.getItem(${JSON.stringify(TOKENS_ITEM)});
  return stored === null ? null : JSON.parse(stored).access_token;
})()`;

/** The answers the page lists (newest first), from the data attributes apps/spa/web/page-view.ts sets. */
export const READ_ANSWERS = `[...document.querySelectorAll('#responses li.response')].map((item) => ({
  method: item.dataset.method,
  path: item.dataset.path,
  status: Number(item.dataset.status),
  nonceRetried: item.dataset.nonceRetried === 'true',
  text: item.querySelector('pre')?.textContent ?? '',
}))`;
