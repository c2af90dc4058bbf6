import { Body, Controller, Get, HttpCode, Inject, NotFoundException, Param, Post, UseFilters, BadRequestException } from '@nestjs/common';
import { isIntegerIn } from '#binding/core';
import { Bound, Principal, type BoundPrincipal } from '#binding/nest';
import { spiffeIdOf } from '#estate';
import { OrdersLink } from './orders-link.js';
import { OrdersNotConfiguredError, OutboundErrorFilter } from './outbound-error.filter.js';

const ORDERS = spiffeIdOf('orders');
const SKU = /^[A-Za-z0-9][A-Za-z0-9-]{0,31}$/;
const ORDER_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MAX_QUANTITY = 100; // units per order

/**
 * The order routes: DPoP at the door (the guard, E1-E22), then orders over NATS on the end user's
 * behalf. The client's token never leaves the edge as it is: the outbound client exchanges it at
 * the STS (it is the RFC 8693 subject token) for a token meant for orders, bound to the edge's
 * certificate, with only the scope this route needs. Only the validated fields travel on.
 */
@Controller('v1/orders')
@UseFilters(OutboundErrorFilter)
export class OrdersController {
  constructor(@Inject(OrdersLink) private readonly link: OrdersLink) {}

  @Post()
  @HttpCode(201)
  @Bound({ confirmation: 'dpop', scopes: ['orders:write'] })
  async create(@Principal() principal: BoundPrincipal, @Body() body: unknown): Promise<unknown> {
    const { sku, quantity } = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    if (typeof sku !== 'string' || !SKU.test(sku)) throw new BadRequestException('sku must be 1-32 letters, digits or dashes');
    if (!isIntegerIn(quantity, 1, MAX_QUANTITY)) {
      throw new BadRequestException(`quantity must be an integer from 1 to ${MAX_QUANTITY}`);
    }
    return this.outbound().call({ audience: ORDERS, subject: 'orders.create', payload: { sku, quantity }, subjectToken: principal.subjectToken, scope: 'orders:write' });
  }

  @Get(':id')
  @Bound({ confirmation: 'dpop', scopes: ['orders:read'] })
  async get(@Principal() principal: BoundPrincipal, @Param('id') id: string): Promise<unknown> {
    if (!ORDER_ID.test(id)) throw new NotFoundException('no such order');
    return this.outbound().call({ audience: ORDERS, subject: 'orders.get', payload: { id }, subjectToken: principal.subjectToken, scope: 'orders:read' });
  }

  private outbound(): NonNullable<OrdersLink['outbound']> {
    if (this.link.outbound === undefined) throw new OrdersNotConfiguredError();
    return this.link.outbound;
  }
}
