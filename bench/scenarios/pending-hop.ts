/**
 * Slots for the internal-hop measurements (issue 6), which need apps/sts, apps/orders and
 * apps/inventory (issue 4). Each returns `null` until then; main.ts writes the nulls, and the ratio
 * `hop_vs_plain_nats`, as they are, so the results keep their shape.
 *
 * To fill them in, implement here (pinning the services to the server core, the caller on the
 * load core, as http-targets.ts does):
 * - `hop`: requests per second of one NATS request through the hop guard (exchange cached, hop
 *   proof signed per request with a unique jti, verified by the receiver), against
 * - `plain_nats`: the same request/reply between the same two processes with no hop headers;
 *   `hop_vs_plain_nats` = hop / plain_nats.
 * - `order_flow`: the edge's order route end to end (DPoP at the edge, exchange, hop to orders,
 *   hop to inventory).
 */
export interface HopMeasurements {
  readonly hop: null;
  readonly plain_nats: null;
  readonly order_flow: null;
  readonly pending: string;
}

export async function measureHops(): Promise<HopMeasurements> {
  return {
    hop: null,
    plain_nats: null,
    order_flow: null,
    pending: 'needs apps/sts, apps/orders, apps/inventory and the edge order routes (issue 4)',
  };
}
