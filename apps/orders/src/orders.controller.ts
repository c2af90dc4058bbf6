import { randomUUID } from 'node:crypto';
import { Controller, Inject, Logger } from '@nestjs/common';
import { MessagePattern, Payload, RpcException } from '@nestjs/microservices';
import { isIntegerIn } from '#binding/core';
import { Bound, Principal, type BoundPrincipal } from '#binding/nest';
import { OutboundRefusedError, OutboundUnavailableError, type OutboundClient } from '#binding/hop';
import { isStateBucketFull, isStateBucketUnavailable, spiffeIdOf, stateBucketFullException, stateBucketUnavailableException } from '#estate';
import { OrderStore, type Order, type OrderReservation } from './orders/order-store.js';

export const ORDER_STORE = Symbol('hybrid-estate:order-store');
export const OUTBOUND = Symbol('hybrid-estate:outbound');

const EDGE = spiffeIdOf('edge');
const INVENTORY = spiffeIdOf('inventory');
const SKU = /^[A-Za-z0-9][A-Za-z0-9-]{0,31}$/;
const ORDER_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const MAX_QUANTITY = 100; // units per order

/**
 * Orders' handlers: only the edge may call them (H11), `orders.create` with `orders:write`,
 * `orders.get` with `orders:read`. Creating an order is a second hop: orders exchanges the token it
 * received for one meant for inventory (the STS nests `act`) and reserves the stock.
 */
@Controller()
export class OrdersController {
  private readonly logger = new Logger('Orders');

  constructor(
    @Inject(ORDER_STORE) private readonly orders: OrderStore,
    @Inject(OUTBOUND) private readonly outbound: OutboundClient,
  ) {}

  @MessagePattern('orders.create')
  @Bound({ confirmation: 'mtls', callers: [EDGE], scopes: ['orders:write'] })
  async create(@Payload() payload: unknown, @Principal() principal: BoundPrincipal): Promise<Order> {
    const { sku, quantity } = createRequest(payload);
    const id = randomUUID();
    const reservation = await this.reserve(principal, { orderId: id, sku, quantity });
    const order: Order = {
      id,
      owner: principal.subject,
      sku,
      quantity,
      status: 'reserved',
      createdAt: new Date().toISOString(),
      placedVia: principal.actorChain,
      reservation,
    };
    try {
      await this.orders.save(order);
    } catch (error) {
      // The reservation made above stays here too (README, gaps); the client is told 503, not 201.
      if (isStateBucketUnavailable(error)) throw stateBucketUnavailableException('orders');
      if (!isStateBucketFull(error)) throw error;
      // The reservation made above stays: the demo has no compensation (README, gaps).
      this.logger.warn(`orders-state is full: order ${id} not stored`);
      throw stateBucketFullException('orders');
    }
    return order;
  }

  @MessagePattern('orders.get')
  @Bound({ confirmation: 'mtls', callers: [EDGE], scopes: ['orders:read'] })
  async get(@Payload() payload: unknown, @Principal() principal: BoundPrincipal): Promise<Order> {
    const id = typeof payload === 'object' && payload !== null ? (payload as { id?: unknown }).id : undefined;
    if (typeof id !== 'string' || !ORDER_ID.test(id)) invalid('id must be an order id');
    const order = await this.orders.find(id).catch((error: unknown) => {
      throw isStateBucketUnavailable(error) ? stateBucketUnavailableException('orders') : error;
    });
    // Another user's order is answered exactly as a missing one: its existence is not disclosed.
    if (order === undefined || order.owner !== principal.subject) {
      throw new RpcException({ code: 'not_found', type: 'order_not_found', status: 404, message: 'no such order' });
    }
    return order;
  }

  /**
   * inventory.reserve on behalf of the same end user. Inventory's refusals are not passed on as
   * they are: an `invalid_token` from inventory says nothing about the edge's token, and the edge
   * must not act on it. Out of stock is the one outcome the end user is told.
   */
  private async reserve(principal: BoundPrincipal, payload: { orderId: string; sku: string; quantity: number }): Promise<OrderReservation> {
    let reply: unknown;
    try {
      reply = await this.outbound.call({ audience: INVENTORY, subject: 'inventory.reserve', payload, subjectToken: principal.subjectToken, scope: 'orders:write' });
    } catch (error) {
      if (error instanceof OutboundUnavailableError) {
        this.logger.warn(`inventory unavailable: ${error.stage} ${error.reason}`);
        throw new RpcException({ code: 'temporarily_unavailable', type: 'dependency_unavailable', status: 503, message: 'inventory is unavailable' });
      }
      if (error instanceof OutboundRefusedError) {
        if (error.code === 'out_of_stock') throw new RpcException({ code: 'out_of_stock', type: 'out_of_stock', status: 409, message: 'not enough units' });
        this.logger.warn(`inventory refused: ${error.stage} code=${error.code} type=${error.type ?? '-'}`);
        throw new RpcException({ code: 'server_error', type: 'dependency_refused', status: 502, message: 'inventory refused the reservation' });
      }
      throw error;
    }
    return reservationOf(reply, payload.orderId);
  }
}

/**
 * The reservation out of inventory's answer (`{ reservation, available }`): the order keeps the
 * reservation itself, not the answer around it, so the order JSON has one `reservation` level and
 * no stock figure (how many units are left is inventory's business, not the buyer's).
 */
function reservationOf(reply: unknown, orderId: string): OrderReservation {
  const reservation = typeof reply === 'object' && reply !== null ? (reply as { reservation?: unknown }).reservation : undefined;
  if (typeof reservation !== 'object' || reservation === null || (reservation as { orderId?: unknown }).orderId !== orderId) {
    throw new RpcException({ code: 'server_error', type: 'dependency_refused', status: 502, message: 'inventory answered without the reservation' });
  }
  return reservation as OrderReservation;
}

function createRequest(payload: unknown): { sku: string; quantity: number } {
  const { sku, quantity } = (typeof payload === 'object' && payload !== null ? payload : {}) as Record<string, unknown>;
  if (typeof sku !== 'string' || !SKU.test(sku)) invalid('sku must be 1-32 letters, digits or dashes');
  if (!isIntegerIn(quantity, 1, MAX_QUANTITY)) invalid(`quantity must be an integer from 1 to ${MAX_QUANTITY}`);
  return { sku, quantity };
}

function invalid(message: string): never {
  throw new RpcException({ code: 'invalid_request', type: 'invalid_payload', status: 400, message });
}
