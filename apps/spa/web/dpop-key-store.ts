/**
 * The page's DPoP key pair (RFC 9449), kept in IndexedDB as WebCrypto CryptoKey objects.
 *
 * The private key is generated with `extractable: false`: the browser signs with it but never
 * hands its bytes to script, not even to this page's own, so an injected script can use the key
 * while it runs but cannot carry it away (RFC 9449 §11.4 discusses what DPoP does and does not
 * stop). IndexedDB stores a CryptoKey by structured clone, which keeps it non-extractable; no
 * string form of the private key ever exists.
 *
 * ES256 (P-256), the first algorithm of the estate's DPoP allow-list. One key per browser profile
 * and origin; it outlives the tokens bound to it (`cnf.jkt`), as an app's keystore key would.
 */
import { generateKeyPair } from 'oauth4webapi';

/** Names a test (and a curious reader with devtools) can use to find the stored key. */
export const KEY_DATABASE = 'hybrid-estate-spa';
export const KEY_STORE = 'keys';
export const DPOP_KEY_ID = 'dpop';
const DATABASE_VERSION = 1;

export interface StoredKeyPair {
  readonly keyPair: CryptoKeyPair;
  /** True when this load generated the key (none, or no usable one, was stored). */
  readonly created: boolean;
}

function settle<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
  });
}

function committed(transaction: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onabort = () => reject(transaction.error ?? new Error('IndexedDB transaction aborted'));
    transaction.onerror = () => reject(transaction.error ?? new Error('IndexedDB transaction failed'));
  });
}

function openDatabase(): Promise<IDBDatabase> {
  const request = indexedDB.open(KEY_DATABASE, DATABASE_VERSION);
  request.onupgradeneeded = () => {
    if (!request.result.objectStoreNames.contains(KEY_STORE)) request.result.createObjectStore(KEY_STORE);
  };
  return settle(request);
}

/** A stored pair is used only if it is what we would generate: ECDSA P-256, private key unexportable. */
function isUsable(value: unknown): value is CryptoKeyPair {
  if (typeof value !== 'object' || value === null) return false;
  const { privateKey, publicKey } = value as Partial<CryptoKeyPair>;
  if (!(privateKey instanceof CryptoKey) || !(publicKey instanceof CryptoKey)) return false;
  const algorithm = privateKey.algorithm as EcKeyAlgorithm;
  return (
    privateKey.type === 'private' &&
    privateKey.extractable === false &&
    privateKey.usages.includes('sign') &&
    algorithm.name === 'ECDSA' &&
    algorithm.namedCurve === 'P-256' &&
    publicKey.type === 'public'
  );
}

/**
 * Loads the stored key pair, or generates and stores one. Generation happens outside the
 * transaction (an IndexedDB transaction ends when it waits on anything else); the write then
 * keeps a usable pair another tab stored meanwhile rather than replacing it.
 */
export async function loadOrCreateDpopKeyPair(): Promise<StoredKeyPair> {
  const database = await openDatabase();
  try {
    const stored: unknown = await settle(database.transaction(KEY_STORE, 'readonly').objectStore(KEY_STORE).get(DPOP_KEY_ID));
    if (isUsable(stored)) return { keyPair: stored, created: false };
    const generated = await generateKeyPair('ES256', { extractable: false });
    const transaction = database.transaction(KEY_STORE, 'readwrite');
    const store = transaction.objectStore(KEY_STORE);
    const raced: unknown = await settle(store.get(DPOP_KEY_ID));
    const keyPair = isUsable(raced) ? raced : generated;
    if (keyPair === generated) store.put({ privateKey: generated.privateKey, publicKey: generated.publicKey }, DPOP_KEY_ID);
    await committed(transaction);
    return { keyPair, created: keyPair === generated };
  } finally {
    database.close();
  }
}
