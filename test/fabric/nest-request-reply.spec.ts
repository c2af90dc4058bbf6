import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Inject, Injectable, Module, type INestApplicationContext, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ClientProxy, ClientsModule, Ctx, MessagePattern, NatsContext, Payload } from '@nestjs/microservices';
import {
  loadEstateConfig,
  natsClientOptions,
  natsMicroserviceOptions,
  natsRecord,
  NatsRequestTimeoutError,
  requestWithTimeout,
  type EstateIdentity,
} from '#estate';
import { NEVER, type Observable } from 'rxjs';
import { startEstateFabric, type EstateFabric } from '../../test-support/estate-fabric.js';
import { PROCESS_HOOK_TIMEOUT_MS } from '../../test-support/hook-timeout.js';

// A request/reply between two Nest apps over the mTLS fabric, wired only with libs/estate's
// options: a Transport.NATS microservice (orders) with a @MessagePattern handler, and a
// ClientProxy in another app context (edge, or inventory for the refused case), with headers.

const CLIENT = Symbol('orders client');

interface CreateOrderReply {
  readonly item: string;
  readonly subject: string;
  readonly hopToken: string | undefined;
  readonly hopProofs: number;
}

@Controller()
class OrdersController {
  @MessagePattern('orders.create')
  create(@Payload() payload: { item: string }, @Ctx() context: NatsContext): CreateOrderReply {
    const headers = context.getHeaders();
    return {
      item: payload.item,
      subject: context.getSubject(),
      hopToken: headers?.get('Hop-Token'),
      hopProofs: headers?.values('Hop-Proof').length ?? 0,
    };
  }

  /** Accepts the request and never answers, as a stuck responder would. */
  @MessagePattern('orders.stall')
  stall(): Observable<never> {
    return NEVER;
  }
}

@Injectable()
class OrdersCaller {
  constructor(@Inject(CLIENT) readonly client: ClientProxy) {}
}

let fabric: EstateFabric;
let orders: INestMicroservice;
const callers: INestApplicationContext[] = [];

async function callerAs(identity: EstateIdentity): Promise<OrdersCaller> {
  @Module({
    imports: [ClientsModule.register([{ name: CLIENT, ...natsClientOptions(loadEstateConfig(fabric.env(), identity)) }])],
    providers: [OrdersCaller],
  })
  class CallerModule {}
  const context = await NestFactory.createApplicationContext(CallerModule, { logger: false });
  callers.push(context);
  const caller = context.get(OrdersCaller);
  await caller.client.connect();
  return caller;
}

beforeAll(async () => {
  fabric = await startEstateFabric();
  const config = loadEstateConfig(fabric.env(), 'orders');
  @Module({ controllers: [OrdersController] })
  class OrdersModule {}
  orders = await NestFactory.createMicroservice(OrdersModule, { ...natsMicroserviceOptions(config), logger: false });
  await orders.listen();
}, PROCESS_HOOK_TIMEOUT_MS);

afterAll(async () => {
  for (const context of callers) await context.close();
  await orders?.close();
  await fabric?.stop();
}, PROCESS_HOOK_TIMEOUT_MS);

describe('Nest request/reply over the mTLS fabric', () => {
  it('edge calls orders.create through a ClientProxy and the handler sees payload, subject and headers', async () => {
    const { client } = await callerAs('edge');
    const reply = await requestWithTimeout<CreateOrderReply>(
      client,
      'orders.create',
      natsRecord({ item: 'book' }, { 'Hop-Token': 'token-value', 'Hop-Proof': 'proof-value' }),
      2_000,
    );
    expect(reply).toEqual({ item: 'book', subject: 'orders.create', hopToken: 'token-value', hopProofs: 1 });
  });

  it('T3: inventory may not publish to orders.create: the broker refuses and the request times out, bounded', async () => {
    const { client } = await callerAs('inventory');
    const started = Date.now();
    const refused = requestWithTimeout(client, 'orders.create', { item: 'book' }, 1_000);
    await expect(refused).rejects.toBeInstanceOf(NatsRequestTimeoutError);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('a responder that never answers fails with NatsRequestTimeoutError instead of hanging', async () => {
    const { client } = await callerAs('edge');
    await expect(requestWithTimeout(client, 'orders.stall', { id: 1 }, 500)).rejects.toMatchObject({
      name: 'NatsRequestTimeoutError',
      pattern: 'orders.stall',
      timeoutMs: 500,
    });
  });

  it('a subject nobody serves fails at once: the broker answers "no responders"', async () => {
    const { client } = await callerAs('edge');
    const started = Date.now();
    await expect(requestWithTimeout(client, 'orders.cancel', { id: 1 }, 2_000)).rejects.toThrow(/no subscribers listening to that message \("orders\.cancel"\)/);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
