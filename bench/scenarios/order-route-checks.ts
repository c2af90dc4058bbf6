import { ORDERS_PATH, signedRequest, tamperedOrderRequest, type PreparedRequest, type SkuPlan } from '../harness/order-requests.js';
import type { BenchClient } from '../harness/proof-pool.js';

/**
 * What the order-flow warm-up asserts before measuring, so its figures are those of a route that
 * does its work: it refuses a tampered proof (E11) and a valid order is placed end to end (201,
 * status "reserved", which only inventory's reservation produces) and can be read back. Whether a
 * replayed proof is refused (E17) is recorded.
 */
export interface OrderRouteChecks {
  readonly tamperedRefused: boolean;
  readonly validReserved: boolean;
  readonly readBack: boolean;
  readonly replayRefused: boolean;
}

interface Answer {
  readonly status: number;
  readonly body: unknown;
}

const CHECK_TIMEOUT_MS = 10_000; // milliseconds: the first order also fetches keys and opens hops

export async function send(origin: string, request: PreparedRequest): Promise<Answer> {
  const response = await fetch(`${origin}${request.path}`, {
    method: request.method,
    headers: request.headers,
    ...(request.body === undefined ? {} : { body: request.body }),
    signal: AbortSignal.timeout(CHECK_TIMEOUT_MS),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: kept as text
  }
  return { status: response.status, body };
}

/** Runs the checks; throws, naming each that failed, when the route accepts a bad proof or fails a good one. */
export async function checkOrderRoute(origin: string, clients: readonly BenchClient[], skus: SkuPlan): Promise<OrderRouteChecks> {
  const client = clients[0]!;
  const tampered = await send(origin, tamperedOrderRequest(client, origin, skus.take()));
  const tamperedRefused = tampered.status === 401;
  const valid = signedRequest(client, origin, 'POST', ORDERS_PATH, { sku: skus.take(), quantity: 1 });
  const placed = await send(origin, valid);
  const order = placed.body as { id?: unknown; status?: unknown };
  const validReserved = placed.status === 201 && order.status === 'reserved' && typeof order.id === 'string';
  let readBack = false;
  if (validReserved) {
    const read = await send(origin, signedRequest(client, origin, 'GET', `${ORDERS_PATH}/${order.id as string}`));
    readBack = read.status === 200 && (read.body as { id?: unknown }).id === order.id;
  }
  const replayRefused = (await send(origin, valid)).status === 401;
  const checks = { tamperedRefused, validReserved, readBack, replayRefused };
  const failed = Object.entries({ tamperedRefused, validReserved, readBack }).filter(([, held]) => !held).map(([name]) => name);
  // A route that accepts a tampered proof, or does not reach inventory, would make the figures meaningless.
  if (failed.length > 0) throw new Error(`the order route failed its checks: ${failed.join(', ')} (valid order answered ${placed.status}, tampered ${tampered.status})`);
  return checks;
}
