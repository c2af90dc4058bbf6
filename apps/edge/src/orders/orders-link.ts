import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { createOutboundClient, type OutboundClient } from '#binding/hop';
import { clientProxyTransport } from '#binding/nest/rpc';
import { natsClientOptions, natsTlsOptions, observeWorkload, RotatingClientNats, spiffeIdOf, STS_ISSUER, workloadTelemetry } from '#estate';
import type { EdgeConfig } from '../edge-config.js';
import type { EdgeIdentity } from '../edge-identity.js';

/** The edge waits at most this long for the STS before answering 503. */
export const EDGE_EXCHANGE_TIMEOUT_MS = 2_000; // milliseconds

/**
 * The edge's way to orders over NATS: its ClientNats, its certificate's hop-proof signer and the
 * outbound client (exchange at the STS, then call). Absent when NATS is not configured: the edge
 * still serves /v1/me, /healthz and its metadata, and the order routes answer 503. The connection
 * is opened in the background: a broker that is down at start-up does not keep the edge from
 * starting, and each order request is bounded by its own timeout meanwhile.
 */
@Injectable()
export class OrdersLink implements OnApplicationShutdown {
  private constructor(
    readonly outbound: OutboundClient | undefined,
    private readonly client: RotatingClientNats | undefined,
  ) {}

  /** The client and the signer follow the edge's renewed certificate (L2, L3: EdgeIdentity). */
  static open(config: EdgeConfig, edge: EdgeIdentity): OrdersLink {
    const nats = config.nats;
    const identity = edge.identity;
    if (nats === undefined || identity === undefined) return new OrdersLink(undefined, undefined);
    const client = new RotatingClientNats({ ...natsClientOptions(nats).options, tls: natsTlsOptions(identity.current) }, nats.requestTimeoutMs);
    identity.follow(client);
    // O1, O3: seconds until the edge's certificate expires; an audit line on each renewal.
    observeWorkload('edge', spiffeIdOf('edge'), identity, workloadTelemetry('edge').audit);
    client.connect().catch((error: unknown) => new Logger('Edge').warn(`NATS not reachable yet: ${error instanceof Error ? error.message : String(error)}`));
    const outbound = createOutboundClient({
      transport: clientProxyTransport(client),
      signer: identity.signer,
      stsAudience: STS_ISSUER,
      timeoutMs: nats.requestTimeoutMs,
      exchangeTimeoutMs: Math.min(nats.requestTimeoutMs, EDGE_EXCHANGE_TIMEOUT_MS),
      // O1, O2: producer spans whose trace context the hop proof covers; exchange-cache hits.
      observer: workloadTelemetry('edge').outbound,
    });
    return new OrdersLink(outbound, client);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client?.close();
  }
}
