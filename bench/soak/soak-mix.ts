import { ME_PATH, ORDERS_PATH, signedRequest, stolenTokenRequest, type PreparedRequest, type SkuPlan } from '../harness/order-requests.js';
import type { BenchClient } from '../harness/proof-pool.js';

/** The routes of the mix, as they are counted in the report. */
export const SOAK_ROUTES = { me: 'GET /v1/me', create: 'POST /v1/orders', read: 'GET /v1/orders/:id', attack: 'attack (must be 401)' } as const;

/** What the attacks in the mix got: every one must be refused. */
export interface AttackTally {
  readonly sent: number;
  readonly refused: number;
  /** Answered 2xx: an attack the edge let through. */
  readonly wronglyAccepted: number;
}

/** Placed orders the reads choose from: the most recent ones, so the soak itself holds bounded state. */
const RECENT_ORDERS = 256;
const ORDER_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The soak's request mix, in turn: GET /v1/me, POST /v1/orders (quantity 1, SKUs from a SkuPlan
 * so stock never runs out), GET /v1/orders/:id of an order this soak placed, round-robin over
 * the bound clients. Every request is signed when it is due (the soak outlasts the edge's 60 s
 * `iat` window, so proofs cannot be made in advance): a fresh proof, its own `jti`.
 * Until a first order is placed, a read turns into a GET /v1/me.
 * With `attackEvery`, every n-th request is an attack instead, in turn: a request already answered
 * 2xx sent again as it was (its proof's `jti` is spent: E17), or a client's token with a proof by
 * another client's key (E20). Each must be answered 401; one answered 2xx is wrongly accepted.
 */
export class SoakMix {
  private readonly recent: string[] = [];
  private nextRecent = 0;
  private index = 0;
  private readonly attacks = new WeakSet<PreparedRequest>();
  private lastAnswered: PreparedRequest | undefined;
  private tally = { sent: 0, refused: 0, wronglyAccepted: 0 };

  constructor(
    private readonly clients: readonly BenchClient[],
    private readonly origin: string,
    private readonly skus: SkuPlan,
    private readonly attackEvery?: number,
  ) {}

  get attackTally(): AttackTally {
    return { ...this.tally };
  }

  next(): PreparedRequest {
    const turn = this.index++;
    const client = this.clients[turn % this.clients.length] as BenchClient;
    if (this.attackEvery !== undefined && turn % this.attackEvery === this.attackEvery - 1) return this.attack(turn, client);
    if (turn % 3 === 1) return signedRequest(client, this.origin, 'POST', ORDERS_PATH, { sku: this.skus.take(), quantity: 1 });
    if (turn % 3 === 2 && this.recent.length > 0) {
      const id = this.recent[Math.floor(Math.random() * this.recent.length)] as string;
      return signedRequest(client, this.origin, 'GET', `${ORDERS_PATH}/${id}`);
    }
    return signedRequest(client, this.origin, 'GET', ME_PATH);
  }

  private attack(turn: number, client: BenchClient): PreparedRequest {
    const replayable = this.lastAnswered;
    const thief = this.clients[(turn + 1) % this.clients.length] as BenchClient;
    const request = Math.floor(turn / (this.attackEvery ?? 1)) % 2 === 0 && replayable !== undefined ? { ...replayable } : stolenTokenRequest(thief, client, this.origin, 'GET', ME_PATH);
    this.attacks.add(request);
    this.tally.sent++;
    return request;
  }

  routeOf(request: PreparedRequest): string {
    if (this.attacks.has(request)) return SOAK_ROUTES.attack;
    if (request.path === ME_PATH) return SOAK_ROUTES.me;
    return request.method === 'POST' ? SOAK_ROUTES.create : SOAK_ROUTES.read;
  }

  /** Remembers each placed order's id (a ring: the newest RECENT_ORDERS). */
  onResponse(request: PreparedRequest, status: number, body: string): void {
    if (this.attacks.has(request)) {
      if (status >= 200 && status < 300) this.tally.wronglyAccepted++;
      else this.tally.refused++;
      return;
    }
    if (status >= 200 && status < 300 && request.method === 'GET') this.lastAnswered = request;
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
