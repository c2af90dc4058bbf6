import { connect, type NatsConnection } from '@nats-io/transport-node';
import { loadEstateConfig, natsConnectionOptions } from '#estate';
import type { AppProcess } from '../../scripts/estate/app-process.js';
import type { TestIssuer } from '../../libs/binding/test-support/test-issuer.js';
import { hopBenchPayload } from '../servers/hop-bench-subjects.js';
import { distPath } from './bench-context.js';
import { startEstateFabric, type EstateFabric } from '../../test-support/estate-fabric.js';
import { pinProcess, SERVER_CORE, type Pinning } from './cpu-pinning.js';
import { HopCaller } from './hop-caller.js';
import { startPinnedProcess } from './pinned-process.js';

/** Claims the receiver may hold: ~450 B each, and at most ~70 s of them are live. */
const RECEIVER_REPLAY_MAX_ENTRIES = 5_000_000; // claims
/** Readiness probes are single requests; a slow answer is "not yet". */
const PROBE_TIMEOUT_MS = 1_000; // milliseconds
/** The client token the caller holds outlives any bench run; the STS caps what it issues by it. */
const CLIENT_TOKEN_LIFETIME_S = 3_600; // seconds

const STS_PROBE_PACKET = JSON.stringify({ pattern: 'sts.exchange', data: {}, id: 'bench-readiness-probe' });

export interface HopEstateOptions {
  readonly pinning: Pinning;
  readonly issuer: TestIssuer;
  /** The edge's external audience: the `aud` of the issuer's tokens, EDGE_AUDIENCE of the STS. */
  readonly audience: string;
}

/**
 * Everything the hop bench runs on, started in order and stopped in reverse, whatever fails:
 * 1. the fabric (temp PKI, mTLS nats-server with the estate's permission table, JetStream), the
 *    broker pinned to the server core;
 * 2. the caller in this process (edge identity) and a plain probe connection (edge identity);
 * 3. the real STS, dist/apps/sts/main.js, pinned to the server core, trusting the bench issuer's
 *    JWKS over HTTP for the edge's external audience; ready once `sts.exchange` answers;
 * 4. receivers (bench/servers/hop-receiver.js), pinned to the server core, started on demand so a
 *    profiled one can replace the measured one.
 */
export class HopEstate {
  private constructor(
    readonly fabric: EstateFabric,
    readonly caller: HopCaller,
    private readonly probe: NatsConnection,
    private readonly sts: AppProcess,
    private readonly pinning: Pinning,
  ) {}

  static async start(options: HopEstateOptions): Promise<HopEstate> {
    const fabric = await startEstateFabric({ purpose: 'bench' });
    let caller: HopCaller | undefined;
    let probe: NatsConnection | undefined;
    try {
      pinProcess(options.pinning, fabric.supervisor.pid!, SERVER_CORE);
      // The client's token as the edge holds it after its DPoP check: bound to the client's key
      // (cnf.jkt), which the STS requires of an external subject token.
      const token = await options.issuer.mint({ cnf: { jkt: 'bench-client-key-thumbprint-0000000000000000' }, scope: 'orders:read orders:write', expiresIn: CLIENT_TOKEN_LIFETIME_S });
      caller = await HopCaller.connect(fabric.env(), token, Math.floor(Date.now() / 1000) + CLIENT_TOKEN_LIFETIME_S);
      probe = await connect({ ...natsConnectionOptions(loadEstateConfig(fabric.env(), 'edge')), name: 'bench-probe' });
      const answered = probe;
      const sts = await startPinnedProcess(options.pinning, {
        name: 'sts',
        main: distPath('apps/sts/main.js'),
        env: fabric.env({
          AUTH_ISSUER: options.issuer.issuer,
          AUTH_JWKS_URI: `${options.issuer.issuer}/jwks`,
          EDGE_AUDIENCE: options.audience,
        }),
        // Any answer on sts.exchange (here the refusal of an empty request) means it is served. A
        // Nest request needs its packet form: without an `id`, Nest takes it for an event and is silent.
        ready: { probe: async () => (await answered.request('sts.exchange', STS_PROBE_PACKET, { timeout: PROBE_TIMEOUT_MS })) !== undefined },
      });
      return new HopEstate(fabric, caller, probe, sts, options.pinning);
    } catch (error) {
      await probe?.close().catch(() => undefined);
      await caller?.close().catch(() => undefined);
      await fabric.stop();
      throw error;
    }
  }

  /** A receiver as `orders`, ready once its plain echo answers the caller. `nodeOptions`: e.g. --cpu-prof. */
  startReceiver(nodeOptions: readonly string[] = []): Promise<AppProcess> {
    const caller = this.caller;
    const payload = hopBenchPayload();
    return startPinnedProcess(this.pinning, {
      name: 'hop receiver',
      main: distPath('bench/servers/hop-receiver.js'),
      nodeOptions,
      // One caller sends every hop, so the sender quota must cover a whole run's live claims
      // (~70 s of them): set as an operator would, through libs/estate's variables.
      env: { ...this.fabric.env(), HOP_REPLAY_STORE: 'memory', HOP_REPLAY_MAX_ENTRIES: String(RECEIVER_REPLAY_MAX_ENTRIES), HOP_REPLAY_MAX_PER_SENDER: String(RECEIVER_REPLAY_MAX_ENTRIES) },
      ready: { probe: async () => (await caller.plain<{ data?: string }>(payload))?.data === payload.data },
    });
  }

  async stop(): Promise<void> {
    await this.caller.close().catch(() => undefined);
    await this.probe.close().catch(() => undefined);
    await this.sts.stop();
    await this.fabric.stop();
  }
}
