import type { OutboundStage } from './outbound-errors.js';

/** One request of an outbound call, as the transport sends it. */
export interface HopTransportRequest {
  readonly stage: OutboundStage;
  readonly subject: string;
  readonly payload: unknown;
  /** Each set once: the receiving checks count repeated headers (H1). */
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
}

/**
 * What the outbound side sends through: one request, its reply resolved. Rejects with
 * OutboundUnavailableError (no reply in time, the broker or the callee down: retry later) or
 * OutboundRefusedError (the callee's or the STS's error reply `{ code, type, status }`) only, so
 * that the outbound client never reads transport errors. With Nest's ClientNats:
 * `clientProxyTransport(client)` from `@hybrid-estate/binding/nest/rpc`; with another transport,
 * an object that keeps this contract.
 */
export interface HopTransport {
  request(request: HopTransportRequest): Promise<unknown>;
}
