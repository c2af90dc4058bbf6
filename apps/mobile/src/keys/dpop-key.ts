/**
 * The app's DPoP key pair (RFC 9449), kept across runs the way a native app keeps one in the
 * platform keystore: here a 0600 file holding the private JWK. Created on first use; every later
 * run loads the same key, so tokens bound to its thumbprint (`cnf.jkt`) stay usable.
 *
 * ES256 (P-256), the first algorithm of the estate's DPoP allow-list. Once loaded, the private
 * key is a non-extractable CryptoKey; only the public half can be exported (into proofs).
 */
import { calculateJwkThumbprint, type JWK } from 'jose';
import { webcrypto } from 'node:crypto';
import { readPrivateFile, writePrivateFile } from '#estate';

const ES256_PARAMS = { name: 'ECDSA', namedCurve: 'P-256' } as const;

export interface DpopKey {
  readonly keyPair: webcrypto.CryptoKeyPair;
  /** RFC 7638 SHA-256 thumbprint of the public key: the `cnf.jkt` of tokens bound to it. */
  readonly thumbprint: string;
  readonly file: string;
  /** True when this run generated the key (no file existed). */
  readonly created: boolean;
}

function publicPart(jwk: JWK): JWK {
  const { kty, crv, x, y } = jwk;
  return { kty, crv, x, y };
}

async function importPair(jwk: JWK): Promise<webcrypto.CryptoKeyPair> {
  const privateKey = await webcrypto.subtle.importKey('jwk', jwk as webcrypto.JsonWebKey, ES256_PARAMS, false, ['sign']);
  const publicKey = await webcrypto.subtle.importKey('jwk', publicPart(jwk) as webcrypto.JsonWebKey, ES256_PARAMS, true, ['verify']);
  return { privateKey, publicKey };
}

function parseKeyFile(file: string, text: string): JWK {
  let jwk: JWK;
  try {
    jwk = JSON.parse(text) as JWK;
  } catch (cause) {
    throw new Error(`${file} is not JSON`, { cause });
  }
  if (jwk?.kty !== 'EC' || jwk.crv !== 'P-256' || typeof jwk.d !== 'string') {
    throw new Error(`${file} does not hold a private P-256 JWK`);
  }
  return jwk;
}

export async function loadOrCreateDpopKey(file: string): Promise<DpopKey> {
  const text = await readPrivateFile(file);
  let jwk: JWK;
  if (text === undefined) {
    const generated = await webcrypto.subtle.generateKey(ES256_PARAMS, true, ['sign', 'verify']);
    jwk = (await webcrypto.subtle.exportKey('jwk', generated.privateKey)) as JWK;
    const { kty, crv, x, y, d } = jwk;
    await writePrivateFile(file, `${JSON.stringify({ kty, crv, x, y, d, alg: 'ES256' }, null, 2)}\n`);
  } else {
    jwk = parseKeyFile(file, text);
  }
  const keyPair = await importPair(jwk);
  const thumbprint = await calculateJwkThumbprint(publicPart(jwk), 'sha256');
  return { keyPair, thumbprint, file, created: text === undefined };
}
