import type { EdgeProcess } from '../../edge/edge-process.js';
import type { DpopClient } from '../../../libs/binding/test-support/dpop-proofs.js';
import type { Answer, ClusterEstate } from './cluster-estate.js';

/**
 * Orders flowing through the edge replicas while a test breaks something: each worker places
 * orders with its own sku per round (so a stored order names the request that made it), and every
 * third round is an attack that must be refused whatever happens to the cluster: a proof by a key
 * the token is not bound to (E20) or a proof replayed after its genuine use (E17).
 */
export type TrafficKind = 'order' | 'wrong_key' | 'replay';

export interface TrafficOutcome {
  readonly worker: number;
  readonly kind: TrafficKind;
  readonly sku: string;
  readonly sentAt: number;
  readonly answeredAt: number;
  readonly answer: Answer;
}

export class OrderTraffic {
  readonly outcomes: TrafficOutcome[] = [];
  #running = true;
  readonly #workers: Promise<void>[];

  constructor(
    private readonly estate: ClusterEstate,
    private readonly thief: DpopClient,
    workers: number,
    private readonly edges: () => readonly EdgeProcess[],
    private readonly label: string,
  ) {
    this.#workers = Array.from({ length: workers }, (_, index) => this.#work(index));
  }

  /** Ends the loops and waits for the requests in flight. */
  async stop(): Promise<readonly TrafficOutcome[]> {
    this.#running = false;
    await Promise.all(this.#workers);
    return this.outcomes;
  }

  async #work(worker: number): Promise<void> {
    for (let round = 0; this.#running; round++) {
      const sku = `${this.label}-${worker}-${round}`;
      const edges = this.edges();
      const edge = edges[(worker + round) % edges.length]!;
      const kind: TrafficKind = round % 3 === 1 ? 'wrong_key' : round % 3 === 2 ? 'replay' : 'order';
      const headers = await this.estate.request('POST', '/v1/orders', kind === 'wrong_key' ? { prover: this.thief } : {});
      const body = { sku, quantity: 1 };
      if (kind === 'replay') {
        // The genuine use first, whatever its outcome (its order is this sku's, if stored).
        const genuine = await this.#record(worker, 'order', sku, () => this.estate.send(edge, 'POST', '/v1/orders', headers, body));
        const other = edges[(worker + round + 1) % edges.length]!;
        // Replayed at the other replica: the claim is shared (E17), and replicated (S1).
        if (genuine.status !== 0) await this.#record(worker, 'replay', sku, () => this.estate.send(other, 'POST', '/v1/orders', headers, body));
      } else {
        await this.#record(worker, kind, sku, () => this.estate.send(edge, 'POST', '/v1/orders', headers, body));
      }
    }
  }

  async #record(worker: number, kind: TrafficKind, sku: string, send: () => Promise<Answer>): Promise<Answer> {
    const sentAt = Date.now();
    const answer = await send();
    this.outcomes.push({ worker, kind, sku, sentAt, answeredAt: Date.now(), answer });
    if (answer.status === 0) await new Promise((resolve) => setTimeout(resolve, 50)); // a dead replica: do not spin
    return answer;
  }
}

/**
 * How long after `from` every worker was served again: for each worker, the answer time of its
 * first order sent after `from` that was placed (201); the slowest worker's counts. Includes the
 * request's own latency, so it overstates the outage slightly (never understates it).
 */
export function recoveryMs(outcomes: readonly TrafficOutcome[], from: number): number {
  const workers = new Set(outcomes.map((outcome) => outcome.worker));
  let slowest = 0;
  for (const worker of workers) {
    const served = outcomes.find((outcome) => outcome.worker === worker && outcome.kind === 'order' && outcome.sentAt >= from && outcome.answer.status === 201);
    slowest = Math.max(slowest, served === undefined ? Number.POSITIVE_INFINITY : served.answeredAt - from);
  }
  return slowest;
}

/** The order-keeping figures of SECURITY.md S2 over `outcomes` against what the state bucket holds. */
export function orderLedger(outcomes: readonly TrafficOutcome[], stored: ReadonlyMap<string, Record<string, unknown>>) {
  // A replay answered 201 is the proof's first acceptance when its genuine use was refused before
  // its jti was claimed (503: the store could not be asked); then it placed the order, once.
  const genuine = new Map(outcomes.filter((outcome) => outcome.kind === 'order').map((outcome) => [outcome.sku, outcome.answer.status]));
  const firstUse = (outcome: TrafficOutcome): boolean => outcome.kind === 'replay' && [0, 503].includes(genuine.get(outcome.sku) ?? -1);
  const placed = outcomes.filter((outcome) => (outcome.kind === 'order' || firstUse(outcome)) && outcome.answer.status === 201);
  const bySku = new Map<string, number>();
  for (const order of stored.values()) bySku.set(String(order['sku']), (bySku.get(String(order['sku'])) ?? 0) + 1);
  const skus = new Set(outcomes.map((outcome) => outcome.sku));
  return {
    placed: placed.length,
    lost: placed.filter((outcome) => !stored.has(String(outcome.answer.body['id']))).map((outcome) => outcome.sku),
    duplicated: [...bySku].filter(([sku, count]) => skus.has(sku) && count > 1).map(([sku]) => sku),
    wronglyAccepted: outcomes.filter((outcome) => outcome.kind !== 'order' && outcome.answer.status >= 200 && outcome.answer.status < 300 && !firstUse(outcome)).map((outcome) => ({ kind: outcome.kind, sku: outcome.sku, status: outcome.answer.status })),
    /** Attacks refused as such (401) and those that met an outage first (503, or a dead replica's 0). */
    attacks: { refused: outcomes.filter((outcome) => outcome.kind !== 'order' && outcome.answer.status === 401).length, unavailable: outcomes.filter((outcome) => outcome.kind !== 'order' && [0, 503].includes(outcome.answer.status)).length },
  };
}
