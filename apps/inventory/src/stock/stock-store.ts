import type { KV } from '@nats-io/kv';

/** Every SKU starts with this many units the first time it is reserved or read (a demo catalogue). */
export const DEFAULT_INITIAL_STOCK = 100; // units
/** A reservation retries this often when another replica changed the same SKU meanwhile. */
const MAX_UPDATE_ATTEMPTS = 5;

export interface Reservation {
  readonly orderId: string;
  readonly sku: string;
  readonly quantity: number;
  /** The end user it was made for, and the workloads it came through (nearest first). */
  readonly subject: string;
  readonly via: readonly string[];
  readonly reservedAt: string;
}

export class OutOfStockError extends Error {
  constructor(readonly sku: string) {
    super(`not enough units of ${sku}`);
    this.name = 'OutOfStockError';
  }
}

/**
 * Stock and reservations in the inventory's state bucket (JetStream KV, so they survive restarts
 * and are shared by replicas): `stock.<sku>` holds `{ available }`, `reservation.<orderId>` the
 * reservation. Stock is changed by compare-and-set on the entry's revision, retried on conflict,
 * so two replicas never sell the same unit twice.
 */
export class StockStore {
  constructor(
    private readonly bucket: KV,
    private readonly initialStock: number = DEFAULT_INITIAL_STOCK,
  ) {}

  async available(sku: string): Promise<number> {
    return (await this.read(sku)).available;
  }

  /** Takes `quantity` units and records the reservation; a second reservation of one order returns the first. */
  async reserve(request: Omit<Reservation, 'reservedAt'>): Promise<{ reservation: Reservation; available: number }> {
    const key = `reservation.${request.orderId}`;
    const existing = await this.bucket.get(key);
    if (existing !== null && existing.operation === 'PUT') {
      return { reservation: existing.json<Reservation>(), available: await this.available(request.sku) };
    }
    for (let attempt = 1; ; attempt += 1) {
      const { available, revision } = await this.read(request.sku);
      if (available < request.quantity) throw new OutOfStockError(request.sku);
      try {
        await this.bucket.update(`stock.${request.sku}`, JSON.stringify({ available: available - request.quantity }), revision);
        const reservation: Reservation = { ...request, reservedAt: new Date().toISOString() };
        await this.bucket.put(key, JSON.stringify(reservation));
        return { reservation, available: available - request.quantity };
      } catch (error) {
        if (attempt >= MAX_UPDATE_ATTEMPTS || !/wrong last sequence/i.test(String(error))) throw error;
      }
    }
  }

  /** The entry, created with the initial stock on first use (a concurrent creation wins, and is read). */
  private async read(sku: string): Promise<{ available: number; revision: number }> {
    const key = `stock.${sku}`;
    const entry = await this.bucket.get(key);
    if (entry !== null && entry.operation === 'PUT') return { available: entry.json<{ available: number }>().available, revision: entry.revision };
    try {
      const revision = await this.bucket.create(key, JSON.stringify({ available: this.initialStock }));
      return { available: this.initialStock, revision };
    } catch (error) {
      const created = await this.bucket.get(key);
      if (created === null || created.operation !== 'PUT') throw error;
      return { available: created.json<{ available: number }>().available, revision: created.revision };
    }
  }
}
