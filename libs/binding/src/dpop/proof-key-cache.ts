import { KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, importJWK } from 'jose';
import { LRUCache } from 'lru-cache';
import { createJwsKey, type JwsKey } from '../crypto/jws-signature.js';
import { BindingError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import { integerOption } from '../options/integer-range.js';
import type { PublicJwk } from './check-proof-jwk.js';
import { parseProofHeader } from './parse-proof-header.js';

/**
 * Entries in each of the two caches below. A header entry holds its header text (under the proof
 * size cap; about 200 characters for EC keys, 500 for RSA 2048) and an imported key.
 */
export const DEFAULT_PROOF_KEY_CACHE_MAX_ENTRIES = 1000; // entries per cache

/** A proof key ready to verify with: its algorithm, its RFC 7638 thumbprint and the imported key. */
export interface ProofKey {
  readonly alg: string;
  /** base64url SHA-256 JWK thumbprint (RFC 7638 §3, RFC 9449 §6.1 `jkt`). */
  readonly jkt: string;
  /** The `jwk`, imported and bound to `alg` (createJwsKey), for verifyJwsSignature. */
  readonly key: JwsKey;
  /** The protected header segment this key was resolved from, exactly as received. */
  readonly header: string;
}

/**
 * Resolves the key of a DPoP proof from its protected header segment, E6-E9 included, so each
 * client pays for decoding, checking, hashing and importing its key once rather than per request.
 *
 * Two bounded LRU caches, neither able to let through what a full check would refuse:
 * - by header segment: the exact base64url text. Every check of parseProofHeader is a function of
 *   that text and of the allow-list, fixed for the cache's life; a header differing in any byte
 *   (another `typ`, `alg` or `jwk`) misses and is checked in full. Failures are never cached.
 * - by (alg, thumbprint): the imported key, shared by headers that serialize the same key
 *   differently. jose imports it for one algorithm (RSA-PSS and RSASSA keys differ) and
 *   createJwsKey binds the KeyObject to that algorithm, its type and curve checked here once, so
 *   the algorithm is part of the cache key; the thumbprint covers every member that is imported.
 * Does not verify a signature: verifyProofSignature does.
 */
export class ProofKeyCache {
  private readonly byHeader: LRUCache<string, ProofKey>;
  private readonly byThumbprint: LRUCache<string, JwsKey>;

  constructor(
    private readonly algorithms: readonly string[],
    maxEntries: number = DEFAULT_PROOF_KEY_CACHE_MAX_ENTRIES,
  ) {
    integerOption(maxEntries, 'DPoP: keyCacheMaxEntries', 1, 1_000_000);
    this.byHeader = new LRUCache({ max: maxEntries });
    this.byThumbprint = new LRUCache({ max: maxEntries });
  }

  /**
   * The key already resolved from exactly this header segment, or `undefined`: the request path
   * asks this first, so a known client costs one Map lookup and no promise.
   */
  cached(headerSegment: string): ProofKey | undefined {
    return this.byHeader.get(headerSegment);
  }

  async resolve(headerSegment: string): Promise<ProofKey> {
    const cached = this.byHeader.get(headerSegment);
    if (cached !== undefined) return cached;
    const { alg, jwk } = parseProofHeader(headerSegment, this.algorithms);
    const jkt = await calculateJwkThumbprint(jwk, 'sha256');
    const key = await this.importKey(jwk, alg, jkt);
    const proofKey: ProofKey = Object.freeze({ alg, jkt, key, header: headerSegment });
    this.byHeader.set(headerSegment, proofKey);
    return proofKey;
  }

  private async importKey(jwk: PublicJwk, alg: string, jkt: string): Promise<JwsKey> {
    const id = `${alg}:${jkt}`;
    const cached = this.byThumbprint.get(id);
    if (cached !== undefined) return cached;
    let key: JwsKey;
    try {
      const imported = await importJWK(jwk, alg);
      if (imported instanceof Uint8Array) throw new TypeError('jwk is not an asymmetric key');
      // jose validates the key (the point on the curve, the RSA members); node:crypto verifies.
      key = createJwsKey(alg, KeyObject.from(imported));
    } catch (cause) {
      throw new BindingError(FailureType.ProofKey, `jwk is not a valid public key for alg ${alg}`, { cause });
    }
    this.byThumbprint.set(id, key);
    return key;
  }
}
