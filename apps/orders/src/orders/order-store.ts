import type { KV } from '@nats-io/kv';

export interface Order {
  readonly id: string;
  /** The end user who placed it (`sub`): only they may read it. */
  readonly owner: string;
  readonly sku: string;
  readonly quantity: number;
  readonly status: 'reserved';
  readonly createdAt: string;
  /** The workloads the request came through, nearest first (`act` chain), as the guard verified it. */
  readonly placedVia: readonly string[];
  /** Inventory's reservation for this order: what it holds, for whom, through which workloads. */
  readonly reservation: OrderReservation;
}

/** Inventory's record of the units held for an order (its `Reservation`), as inventory.reserve answers it. */
export interface OrderReservation {
  readonly orderId: string;
  readonly sku: string;
  readonly quantity: number;
  readonly subject: string;
  readonly via: readonly string[];
  readonly reservedAt: string;
}

/** Orders in the orders state bucket (JetStream KV: they survive restarts, replicas share them), `order.<id>`. */
export class OrderStore {
  constructor(private readonly bucket: KV) {}

  async save(order: Order): Promise<void> {
    await this.bucket.create(`order.${order.id}`, JSON.stringify(order));
  }

  async find(id: string): Promise<Order | undefined> {
    const entry = await this.bucket.get(`order.${id}`);
    return entry === null || entry.operation !== 'PUT' ? undefined : entry.json<Order>();
  }
}
