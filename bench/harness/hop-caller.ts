import { ClientProxyFactory, NatsRecord, type ClientProxy } from '@nestjs/microservices';
import { ACCESS_TOKEN_TYPE, clientProxyTransport, createHopProofSigner, createOutboundClient, SubjectToken, type OutboundClient } from '#binding';
import { loadEstateConfig, natsClientOptions, natsRecord, requestWithTimeout, spiffeIdOf, STS_ISSUER, type Env } from '#estate';
import { HOP_BENCH_SCOPE, HOP_BENCH_SUBJECTS } from '../servers/hop-bench-subjects.js';

/** Every request of the bench is bounded; a stalled one is an error, not a wait. */
const REQUEST_TIMEOUT_MS = 5_000; // milliseconds
/** As the edge bounds its exchange (apps/edge orders-link.ts EDGE_EXCHANGE_TIMEOUT_MS). */
const EXCHANGE_TIMEOUT_MS = 2_000; // milliseconds

/**
 * The caller of the hop bench, in the bench process (the load core), as the edge is built
 * (apps/edge/src/orders/orders-link.ts): the `edge` identity's ClientNats over mTLS, its
 * certificate's hop-proof signer, libs/binding's outbound client. A hop is `outbound.call`: the
 * internal token from the exchange cache (the STS on the first call and again shortly before the
 * token expires), a freshly signed Hop-Proof (its own jti) over this very payload, both headers.
 * A plain request is the same ClientNats, subject prefix and payload, without headers.
 *
 * For the honesty checks only, the ClientNats is wrapped to keep the last hop record it sent: the
 * checks replay it as an attacker who read it on the wire would. Nothing it holds is printed.
 */
export class HopCaller {
  private constructor(
    private readonly client: ClientProxy,
    private readonly outbound: OutboundClient,
    private readonly subjectToken: SubjectToken,
    private readonly tap: WireTap,
  ) {}

  /** `clientToken`: a DPoP-bound access token of the external issuer, as the edge holds it. */
  static async connect(env: Env, clientToken: string, expiresAt: number): Promise<HopCaller> {
    const config = loadEstateConfig(env, 'edge');
    const client = ClientProxyFactory.create(natsClientOptions(config));
    await client.connect();
    const tap = new WireTap();
    const outbound = createOutboundClient({
      transport: clientProxyTransport(tap.wrap(client)),
      signer: createHopProofSigner({ privateKey: config.tls.key, certificateChainPem: config.tls.cert }),
      stsAudience: STS_ISSUER,
      timeoutMs: REQUEST_TIMEOUT_MS,
      exchangeTimeoutMs: EXCHANGE_TIMEOUT_MS,
    });
    // The plain requests go through the same tapped client: both sides pay the same Map update.
    return new HopCaller(tap.wrap(client), outbound, new SubjectToken(clientToken, ACCESS_TOKEN_TYPE, expiresAt), tap);
  }

  /** Messages sent through the outbound client per subject: `sts.exchange` counts the exchanges. */
  sentTo(subject: string): number {
    return this.tap.sent.get(subject) ?? 0;
  }

  /** One bound hop to the guarded echo. */
  hop<T>(payload: unknown): Promise<T> {
    return this.outbound.call<T>({ audience: spiffeIdOf('orders'), subject: HOP_BENCH_SUBJECTS.hop, payload, subjectToken: this.subjectToken, scope: HOP_BENCH_SCOPE });
  }

  /** The same request/reply to the unguarded echo, no headers. */
  plain<T>(payload: unknown): Promise<T> {
    return requestWithTimeout<T>(this.client, HOP_BENCH_SUBJECTS.plain, payload, REQUEST_TIMEOUT_MS);
  }

  /** Anything to any subject, as is: what the honesty checks send. */
  raw<T>(subject: string, data: unknown): Promise<T> {
    return requestWithTimeout<T>(this.client, subject, data, REQUEST_TIMEOUT_MS);
  }

  /** The last hop sent, as it went on the wire (same headers, same payload): a replay. */
  replayOfLastHop(): NatsRecord {
    if (this.tap.lastHop === undefined) throw new Error('no hop was sent yet');
    return this.tap.lastHop;
  }

  /** The last hop's headers over another payload: the proof's pdh no longer matches. */
  lastHopWithPayload(payload: unknown): NatsRecord {
    const headers = this.replayOfLastHop().headers as { keys(): string[]; get(name: string): string } | undefined;
    if (headers === undefined) throw new Error('the last hop carried no headers');
    return natsRecord(payload, Object.fromEntries(headers.keys().map((name) => [name, headers.get(name)])));
  }

  async close(): Promise<void> {
    await this.client.close();
  }

}

/**
 * The ClientNats the outbound client sends through, counting messages per subject and keeping the
 * last record sent to the guarded echo: a Map update per request.
 */
class WireTap {
  readonly sent = new Map<string, number>();
  lastHop: NatsRecord | undefined;

  wrap(client: ClientProxy): ClientProxy {
    const send = (pattern: unknown, data: unknown): ReturnType<ClientProxy['send']> => {
      const subject = String(pattern);
      this.sent.set(subject, (this.sent.get(subject) ?? 0) + 1);
      if (subject === HOP_BENCH_SUBJECTS.hop && data instanceof NatsRecord) this.lastHop = data;
      return client.send(pattern, data);
    };
    return new Proxy(client, { get: (target, property) => (property === 'send' ? send : Reflect.get(target, property, target)) });
  }
}
