import type { AppProcess } from '../../scripts/estate/app-process.js';
import { cpuSecondsOf, round, type BenchContext } from '../harness/bench-context.js';
import { HopEstate } from '../harness/hop-estate.js';
import { runInFlight, type InFlightResult } from '../harness/in-flight-loop.js';
import { hopBenchPayload, HOP_BENCH_PAYLOAD_BYTES, HOP_BENCH_SUBJECTS } from '../servers/hop-bench-subjects.js';
import { assertHonest, checkHopHonesty, type HopHonesty } from './hop-honesty.js';
import { profileHop, type HopProfile } from './hop-profile.js';
import type { OrderFlowMeasurement } from './order-flow.js';

export interface NatsRequestMeasurement extends InFlightResult {
  readonly description: string;
  readonly subject: string;
  /** CPU seconds over wall seconds during the run, from /proc; null where unavailable. */
  readonly receiverCpu: number | null;
  readonly natsServerCpu: number | null;
  /**
   * CPU microseconds per completed request, all threads of each process: what a request costs
   * wherever it runs, whatever else the shared machine was doing meanwhile.
   */
  readonly cpuUsPerRequest: { readonly receiver: number | null; readonly natsServer: number | null; readonly caller: number };
  /** Every request answered with its own payload, none failed. */
  readonly clean: boolean;
}

export interface HopRun {
  readonly hop: NatsRequestMeasurement;
  readonly plain_nats: NatsRequestMeasurement;
  readonly honesty: HopHonesty;
  /** Exchanges the caller sent to the STS in all (the first call, then one per token refresh). */
  readonly exchanges: number;
  readonly hopRequests: number;
  readonly setup: Readonly<Record<string, string | number>>;
  readonly profile: HopProfile | null;
}

/** `hop` in results/latest.json: the run above and the order-flow slot (scenarios/order-flow.ts). */
export interface HopMeasurements extends HopRun {
  readonly order_flow: OrderFlowMeasurement | null;
  /** Why `order_flow` is null; null when it is measured. */
  readonly order_flow_reason: string | null;
}

/**
 * `hop` against `plain_nats` (issue 6): one bound internal hop (exchange cached, proof signed and
 * verified, token checked) and a plain mTLS NATS request/reply, 1 KB payloads, 64 in flight, from
 * the same caller to the same receiver process over the same broker. Steps:
 * 1. the estate (HopEstate: fabric, STS, caller) and a receiver, servers pinned to the server core;
 * 2. honesty: the guarded echo must refuse what it must (hop-honesty.ts), else the bench stops;
 * 3. a warm-up of each, then plain and hop measured back to back, each for `runSeconds`;
 * 4. with `profile`, a second, profiled receiver and the caller under the profiler (hop-profile.ts).
 */
export async function measureHopVsPlain(context: BenchContext, options: { readonly profile: (hop: number, plain: number) => boolean }): Promise<HopRun> {
  const { settings } = context;
  const estate = await HopEstate.start({ pinning: context.pinning, issuer: context.issuer, audience: context.audience });
  try {
    const caller = estate.caller;
    const receiver = await estate.startReceiver();
    let hop: NatsRequestMeasurement;
    let plain: NatsRequestMeasurement;
    let honesty: HopHonesty;
    try {
      honesty = await checkHopHonesty(caller);
      assertHonest(honesty);
      context.log(`  hop receiver refuses no headers (${honesty.noHeadersRefused}), a replay (${honesty.replayRefused}), a swapped payload (${honesty.swappedPayloadRefused})`);
      const payload = hopBenchPayload();
      const sendHop = (): Promise<unknown> => echoed(caller.hop(payload), payload.data);
      const sendPlain = (): Promise<unknown> => echoed(caller.plain(payload), payload.data);
      await runInFlight(settings.hopInFlight, settings.hopWarmupSeconds, sendPlain);
      await runInFlight(settings.hopInFlight, settings.hopWarmupSeconds, sendHop);
      const natsPid = estate.fabric.supervisor.pid;
      plain = await measured(settings.hopInFlight, settings.runSeconds, sendPlain, receiver, natsPid, HOP_BENCH_SUBJECTS.plain, 'plain mTLS NATS request/reply through the same ClientNats to an unguarded Nest echo in the same receiver');
      context.log(`  plain_nats: ${plain.requestsPerSecond} req/s, p50 ${plain.latencyMs.p50} ms, p99 ${plain.latencyMs.p99} ms`);
      hop = await measured(settings.hopInFlight, settings.runSeconds, sendHop, receiver, natsPid, HOP_BENCH_SUBJECTS.hop, "bound hop: libs/binding outbound client (exchange cached, fresh Hop-Proof per request) to a Nest echo behind the real hop guard (@Bound, orders' wiring)");
      context.log(`  hop: ${hop.requestsPerSecond} req/s, p50 ${hop.latencyMs.p50} ms, p99 ${hop.latencyMs.p99} ms`);
    } finally {
      await receiver.stop();
    }
    let profile: HopProfile | null = null;
    if (options.profile(hop.requestsPerSecond, plain.requestsPerSecond)) {
      context.log('  profiling the hop: receiver (node --cpu-prof) and caller (inspector)');
      profile = await profileHop(context, estate);
    }
    return {
      hop,
      plain_nats: plain,
      honesty,
      exchanges: caller.sentTo('sts.exchange'),
      hopRequests: caller.sentTo(HOP_BENCH_SUBJECTS.hop),
      setup: {
        payload: `${HOP_BENCH_PAYLOAD_BYTES} bytes of JSON each way (the receiver echoes it)`,
        in_flight: settings.hopInFlight,
        run_seconds: settings.runSeconds,
        warmup_seconds: settings.hopWarmupSeconds,
        broker: 'nats-server (scripts/nats/supervisor.ts), mTLS verify_and_map, the estate permission table unchanged, JetStream provisioned; pinned to the server core',
        sts: 'dist/apps/sts/main.js, pinned to the server core; external issuer = the bench TestIssuer (JWKS over HTTP)',
        receiver: `bench/servers/hop-receiver.ts as orders (BindingModule + hopBindingOptions, as apps/orders), pinned to the server core; handlers ${HOP_BENCH_SUBJECTS.hop} (@Bound mtls, callers [edge], orders:read) and ${HOP_BENCH_SUBJECTS.plain} (none)`,
        caller: 'this process (load core) as edge: ClientNats + createHopProofSigner + createOutboundClient, as apps/edge builds them',
        replay_store: 'the receiver\'s in-memory store (HOP_REPLAY_STORE=memory; the estate default is the shared JetStream bucket, one KV create more per hop), HOP_REPLAY_MAX_ENTRIES and HOP_REPLAY_MAX_PER_SENDER raised to 5 000 000 (the default 100 000 per sender, ~1,400 hops/s, would refuse a bench\'s worth from its one caller)',
      },
      profile,
    };
  } finally {
    await estate.stop();
  }
}

/** A reply that is not the payload sent is a failure: the echo proves the request went through. */
async function echoed(reply: Promise<unknown>, data: string): Promise<void> {
  const answer = (await reply) as { data?: unknown } | undefined;
  if (answer?.data !== data) throw new Error('the reply is not the echo of the request');
}

async function measured(
  inFlight: number,
  seconds: number,
  send: () => Promise<unknown>,
  receiver: AppProcess,
  natsPid: number | undefined,
  subject: string,
  description: string,
): Promise<NatsRequestMeasurement> {
  const before = { receiver: await cpuSecondsOf(receiver.pid), nats: await cpuSecondsOf(natsPid) };
  const result = await runInFlight(inFlight, seconds, send);
  const after = { receiver: await cpuSecondsOf(receiver.pid), nats: await cpuSecondsOf(natsPid) };
  const used = (a: number | undefined, b: number | undefined): number | undefined => (a === undefined || b === undefined ? undefined : b - a);
  const busy = (seconds: number | undefined): number | null => (seconds === undefined ? null : round(seconds / result.seconds, 2));
  const perRequest = (seconds: number | undefined): number | null => (seconds === undefined ? null : round((seconds * 1e6) / Math.max(result.requests, 1), 1));
  const receiverSeconds = used(before.receiver, after.receiver);
  const natsSeconds = used(before.nats, after.nats);
  return {
    description,
    subject,
    ...result,
    receiverCpu: busy(receiverSeconds),
    natsServerCpu: busy(natsSeconds),
    cpuUsPerRequest: {
      receiver: perRequest(receiverSeconds),
      natsServer: perRequest(natsSeconds),
      caller: round((result.loadGeneratorCpu * result.seconds * 1e6) / Math.max(result.requests, 1), 1),
    },
    clean: result.errors === 0,
  };
}
