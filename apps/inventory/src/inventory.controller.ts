import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload, RpcException } from '@nestjs/microservices';
import { isIntegerIn } from '#binding/core';
import { Bound, Principal, type BoundPrincipal } from '#binding/nest';
import { isStateBucketFull, isStateBucketUnavailable, spiffeIdOf, stateBucketFullException, stateBucketUnavailableException } from '#estate';
import { OutOfStockError, StockStore, type Reservation } from './stock/stock-store.js';

export const STOCK_STORE = Symbol('hybrid-estate:stock-store');

const ORDERS = spiffeIdOf('orders');
const SKU = /^[A-Za-z0-9][A-Za-z0-9-]{0,31}$/;
const ORDER_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const MAX_QUANTITY = 100; // units per reservation

export interface ReserveReply {
  readonly reservation: Reservation;
  readonly available: number;
}

/**
 * Inventory's handlers. Only orders may call them (H11), with a token granting the scope the end
 * user gave for ordering: reserving is part of placing an order (`orders:write`), reading stock of
 * reading orders (`orders:read`). The guard has verified the whole hop before a handler runs.
 */
@Controller()
export class InventoryController {
  constructor(@Inject(STOCK_STORE) private readonly stock: StockStore) {}

  @MessagePattern('inventory.reserve')
  @Bound({ confirmation: 'mtls', callers: [ORDERS], scopes: ['orders:write'] })
  async reserve(@Payload() payload: unknown, @Principal() principal: BoundPrincipal): Promise<ReserveReply> {
    const { orderId, sku, quantity } = reserveRequest(payload);
    try {
      return await this.stock.reserve({ orderId, sku, quantity, subject: principal.subject, via: principal.actorChain });
    } catch (error) {
      if (error instanceof OutOfStockError) throw new RpcException({ code: 'out_of_stock', type: 'out_of_stock', status: 409, message: 'not enough units' });
      if (isStateBucketFull(error)) throw stateBucketFullException('inventory');
      if (isStateBucketUnavailable(error)) throw stateBucketUnavailableException('inventory');
      throw error;
    }
  }

  @MessagePattern('inventory.get')
  @Bound({ confirmation: 'mtls', callers: [ORDERS], scopes: ['orders:read'] })
  async get(@Payload() payload: unknown): Promise<{ sku: string; available: number }> {
    const sku = skuOf(payload);
    const available = await this.stock.available(sku).catch((error: unknown) => {
      throw isStateBucketUnavailable(error) ? stateBucketUnavailableException('inventory') : error;
    });
    return { sku, available };
  }
}

function reserveRequest(payload: unknown): { orderId: string; sku: string; quantity: number } {
  const { orderId, quantity } = (typeof payload === 'object' && payload !== null ? payload : {}) as Record<string, unknown>;
  if (typeof orderId !== 'string' || !ORDER_ID.test(orderId)) invalid('orderId must be a UUID');
  if (!isIntegerIn(quantity, 1, MAX_QUANTITY)) invalid(`quantity must be an integer from 1 to ${MAX_QUANTITY}`);
  return { orderId, sku: skuOf(payload), quantity };
}

function skuOf(payload: unknown): string {
  const sku = typeof payload === 'object' && payload !== null ? (payload as { sku?: unknown }).sku : undefined;
  if (typeof sku !== 'string' || !SKU.test(sku)) invalid('sku must be 1-32 letters, digits or dashes');
  return sku;
}

function invalid(message: string): never {
  throw new RpcException({ code: 'invalid_request', type: 'invalid_payload', status: 400, message });
}
