import { randomBytes } from 'node:crypto';
import { base64urlJson, signCompact } from '../../libs/binding/test-support/compact-jws.js';
import type { BenchClient } from './proof-pool.js';

/**
 * Requests to the edge's order routes, each with its own DPoP proof (RFC 9449 §4.2: `jti`,
 * `htm`, `htu`, `iat`, and `ath` of the token it travels with), signed in the load process with
 * node:crypto ES256 like proof-pool.ts does for `GET /v1/me`. proof-pool.ts signs GET only;
 * these carry the method and body the order routes need. Nothing here is ever printed.
 */
export interface PreparedRequest {
  readonly method: 'GET' | 'POST';
  /** Path on the edge, e.g. /v1/orders. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

export const ORDERS_PATH = '/v1/orders';
export const ME_PATH = '/v1/me';

/** A compact JWS over the client's fixed protected header (`{typ, alg, jwk}`). */
function signProof(client: BenchClient, claims: Readonly<Record<string, unknown>>): string {
  return signCompact(client.headerSegment, base64urlJson(claims), client.privateKey);
}

/** One unique `jti` prefix per process and a counter: never the same proof twice. */
const JTI_PREFIX = randomBytes(6).toString('base64url');
let jtiCounter = 0;

/** A request signed now: `origin` is the edge's public origin (htu = origin + path, no query). */
export function signedRequest(client: BenchClient, origin: string, method: PreparedRequest['method'], path: string, body?: unknown): PreparedRequest {
  const proof = signProof(client, { jti: `${JTI_PREFIX}.${jtiCounter++}`, htm: method, htu: `${origin}${path}`, iat: Math.floor(Date.now() / 1000), ath: client.ath });
  const headers: Record<string, string> = { authorization: `DPoP ${client.token}`, dpop: proof };
  if (body === undefined) return { method, path, headers };
  headers['content-type'] = 'application/json';
  return { method, path, headers, body: JSON.stringify(body) };
}

/**
 * Attack 1 of the walkthrough as load: `victim`'s token with a proof by `thief`'s key (over the
 * victim's token, `ath` right), which the edge must refuse with 401 invalid_token (E20).
 */
export function stolenTokenRequest(thief: BenchClient, victim: BenchClient, origin: string, method: PreparedRequest['method'], path: string): PreparedRequest {
  const proof = signProof(thief, { jti: `${JTI_PREFIX}.${jtiCounter++}`, htm: method, htu: `${origin}${path}`, iat: Math.floor(Date.now() / 1000), ath: victim.ath });
  return { method, path, headers: { authorization: `DPoP ${victim.token}`, dpop: proof } };
}

/**
 * Which SKU each order takes, so stock never runs out and no SKU is contended. Inventory starts
 * every SKU at 100 units on first use (apps/inventory stock-store.ts DEFAULT_INITIAL_STOCK) and
 * takes units by compare-and-set, retried 5 times: orders in flight together on one SKU would
 * conflict. So consecutive orders (the ones in flight together) go round-robin over SKUS_IN_TURN
 * SKUs, and after MAX_ORDERS_PER_SKU rounds (quantity 1 each) a fresh set of SKUs takes over.
 * Most orders then take from an existing stock entry, as in steady use; one in 90 creates it.
 */
const MAX_ORDERS_PER_SKU = 90; // orders, under the 100 units each SKU starts with
const SKUS_IN_TURN = 256; // far more than the requests ever in flight at once

export class SkuPlan {
  private readonly prefix = `b${randomBytes(4).toString('hex')}`;
  private next = 0;

  take(): string {
    const index = this.next++;
    const generation = Math.floor(index / (SKUS_IN_TURN * MAX_ORDERS_PER_SKU));
    return `${this.prefix}-${generation}-${index % SKUS_IN_TURN}`;
  }
}

/** `count` order requests, round-robin over the clients, signed now (`iat` = now). */
export function orderRequests(clients: readonly BenchClient[], origin: string, count: number, skus: SkuPlan): PreparedRequest[] {
  return Array.from({ length: count }, (_, i) => signedRequest(clients[i % clients.length] as BenchClient, origin, 'POST', ORDERS_PATH, { sku: skus.take(), quantity: 1 }));
}

/** A valid order request with one signature character changed: the edge must refuse it (E11). */
export function tamperedOrderRequest(client: BenchClient, origin: string, sku: string): PreparedRequest {
  const valid = signedRequest(client, origin, 'POST', ORDERS_PATH, { sku, quantity: 1 });
  const proof = valid.headers['dpop'] as string;
  const at = proof.length - 20;
  return { ...valid, headers: { ...valid.headers, dpop: `${proof.slice(0, at)}${proof[at] === 'A' ? 'B' : 'A'}${proof.slice(at + 1)}` } };
}
