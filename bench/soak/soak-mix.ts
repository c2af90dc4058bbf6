import { ME_PATH, ORDERS_PATH, signedRequest, type PreparedRequest, type SkuPlan } from '../harness/order-requests.js';
import type { BenchClient } from '../harness/proof-pool.js';

/** The routes of the mix, as they are counted in the report. */
export const SOAK_ROUTES = { me: 'GET /v1/me', create: 'POST /v1/orders', read: 'GET /v1/orders/:id' } as const;

/** Placed orders the reads choose from: the most recent ones, so the soak itself holds bounded state. */
const RECENT_ORDERS = 256;
const ORDER_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The soak's request mix, in turn: GET /v1/me, POST /v1/orders (quantity 1, SKUs from a SkuPlan
 * so stock never runs out), GET /v1/orders/:id of an order this soak placed, round-robin over
 * the bound clients. Every request is signed when it is due (the soak outlasts the edge's 60 s
 * `iat` window, so proofs cannot be made in advance): a fresh proof, its own `jti`.
 * Until a first order is placed, a read turns into a GET /v1/me.
 */
export class SoakMix {
  private readonly recent: string[] = [];
  private nextRecent = 0;
  private index = 0;

  constructor(
    private readonly clients: readonly BenchClient[],
    private readonly origin: string,
    private readonly skus: SkuPlan,
  ) {}

  next(): PreparedRequest {
    const turn = this.index++;
    const client = this.clients[turn % this.clients.length] as BenchClient;
    if (turn % 3 === 1) return signedRequest(client, this.origin, 'POST', ORDERS_PATH, { sku: this.skus.take(), quantity: 1 });
    if (turn % 3 === 2 && this.recent.length > 0) {
      const id = this.recent[Math.floor(Math.random() * this.recent.length)] as string;
      return signedRequest(client, this.origin, 'GET', `${ORDERS_PATH}/${id}`);
    }
    return signedRequest(client, this.origin, 'GET', ME_PATH);
  }

  routeOf(request: PreparedRequest): string {
    if (request.path === ME_PATH) return SOAK_ROUTES.me;
    return request.method === 'POST' ? SOAK_ROUTES.create : SOAK_ROUTES.read;
  }

  /** Remembers each placed order's id (a ring: the newest RECENT_ORDERS). */
  onResponse(request: PreparedRequest, status: number, body: string): void {
    if (request.method !== 'POST' || status !== 201) return;
    let id: unknown;
    try {
      id = (JSON.parse(body) as { id?: unknown }).id;
    } catch {
      return; // counted by its status already; a 201 without JSON is not expected
    }
    if (typeof id !== 'string' || !ORDER_ID.test(id)) return;
    this.recent[this.nextRecent] = id;
    this.nextRecent = (this.nextRecent + 1) % RECENT_ORDERS;
  }
}
