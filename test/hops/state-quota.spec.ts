import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { EstateConfigError, loadEstateConfig, natsConnectionOptions } from '#estate';
import { DEFAULT_STATE_BUCKET_MAX_BYTES, provisionAsAdmin } from '../../scripts/nats/provision-jetstream.js';
import { DpopClient } from '../../libs/binding/test-support/dpop-proofs.js';
import { call, type Answer } from '../edge/http-call.js';
import { HopEstate } from './support/hop-estate.js';
import { PROCESS_HOOK_TIMEOUT_MS } from '../../test-support/hook-timeout.js';

// The state buckets of orders and inventory have a quota (STATE_BUCKET_MAX_BYTES, set when the
// operator provisions JetStream). A full bucket makes placing an order a prompt 503 at the edge,
// never a 500 or a hang, and never fills the broker's disk, which the REVOCATIONS stream shares.

const SMALL_QUOTA = 16 * 1024; // bytes: room for a dozen or so orders
const MAX_ORDERS = 200; // a quota that never fills within this many orders is not enforced

let estate: HopEstate;
let admin: NatsConnection;
let edgeUrl: string;
let client: DpopClient;

beforeAll(async () => {
  estate = await HopEstate.start();
  edgeUrl = (await estate.startEdge()).url;
  client = await DpopClient.create();
  admin = await connect(natsConnectionOptions(loadEstateConfig(estate.env(), 'admin')));
}, PROCESS_HOOK_TIMEOUT_MS);

afterAll(async () => {
  await admin?.close();
  await estate?.stop();
}, PROCESS_HOOK_TIMEOUT_MS);

async function quotas(): Promise<number[]> {
  const manager = await jetstreamManager(admin);
  return Promise.all(['KV_orders-state', 'KV_inventory-state'].map(async (stream) => (await manager.streams.info(stream)).config.max_bytes));
}

async function dpopCall(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Answer> {
  const url = `${edgeUrl}${path}`;
  const token = await estate.issuer.mint({ sub: 'user-quota', scope: 'orders:read orders:write', cnf: { jkt: client.jkt } });
  const headers: Record<string, string> = { Authorization: `DPoP ${token}`, DPoP: await client.proof({ htm: method, htu: url, token }) };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  return call(url, headers, method, body === undefined ? undefined : JSON.stringify(body));
}

describe('state bucket quota', () => {
  it('provisioning gives both state buckets the default quota', async () => {
    expect(await quotas()).toEqual([DEFAULT_STATE_BUCKET_MAX_BYTES, DEFAULT_STATE_BUCKET_MAX_BYTES]);
  });

  it('a bad STATE_BUCKET_MAX_BYTES is refused with a clear error and changes nothing', async () => {
    for (const value of ['0', '-1', '12MB', String(2 * 1024 ** 4)]) {
      await expect(provisionAsAdmin(estate.env({ STATE_BUCKET_MAX_BYTES: value }))).rejects.toThrow(EstateConfigError);
      await expect(provisionAsAdmin(estate.env({ STATE_BUCKET_MAX_BYTES: value }))).rejects.toThrow(/^STATE_BUCKET_MAX_BYTES: must be an integer from 16384 to/);
    }
    expect(await quotas()).toEqual([DEFAULT_STATE_BUCKET_MAX_BYTES, DEFAULT_STATE_BUCKET_MAX_BYTES]);
  });

  it('re-provisioning applies a new STATE_BUCKET_MAX_BYTES to both buckets, and the default again', async () => {
    await provisionAsAdmin(estate.env({ STATE_BUCKET_MAX_BYTES: String(SMALL_QUOTA) }));
    expect(await quotas()).toEqual([SMALL_QUOTA, SMALL_QUOTA]);
    await provisionAsAdmin(estate.env());
    expect(await quotas()).toEqual([DEFAULT_STATE_BUCKET_MAX_BYTES, DEFAULT_STATE_BUCKET_MAX_BYTES]);
  });

  it.each(['orders', 'inventory'])('%s-state full: orders are a prompt 503 with Retry-After, orders placed before stay readable, a larger quota restores service', async (workload) => {
    const manager = await jetstreamManager(admin);
    const stream = `KV_${workload}-state`;
    // Only this bucket is small; the bytes it holds already count against the quota too.
    const { config, state } = await manager.streams.info(stream);
    await manager.streams.update(stream, { ...config, max_bytes: state.bytes + SMALL_QUOTA });

    const placed: string[] = [];
    let refused: Answer | undefined;
    for (let index = 0; index < MAX_ORDERS && refused === undefined; index += 1) {
      const answer = await dpopCall('POST', '/v1/orders', { sku: `${workload}-${index}`, quantity: 1 });
      if (answer.status === 201) placed.push(answer.body['id'] as string);
      else refused = answer;
    }
    expect(placed.length).toBeGreaterThan(0);
    expect(refused).toBeDefined();
    expect({ status: refused!.status, retryAfter: refused!.headers.get('retry-after'), body: refused!.body })
      .toEqual({ status: 503, retryAfter: '1', body: { statusCode: 503, message: 'orders are temporarily unavailable' } });
    // Full stays full: the next order is refused the same way, and reads still work.
    expect((await dpopCall('POST', '/v1/orders', { sku: `${workload}-again`, quantity: 1 })).status).toBe(503);
    const read = await dpopCall('GET', `/v1/orders/${placed[0]}`);
    expect({ status: read.status, id: read.body['id'] }).toEqual({ status: 200, id: placed[0] });

    await provisionAsAdmin(estate.env());
    expect(await quotas()).toEqual([DEFAULT_STATE_BUCKET_MAX_BYTES, DEFAULT_STATE_BUCKET_MAX_BYTES]);
    expect((await dpopCall('POST', '/v1/orders', { sku: `${workload}-after`, quantity: 1 })).status).toBe(201);
  });
});
