import { createHash } from 'node:crypto';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { JetStreamReplayStore, MemoryReplayStore, type ReplayStore } from '#binding';
import { loadEstateConfig, natsConnectionOptions } from '#estate';
import { provisionReplayBucket } from '../../scripts/nats/provision-replay-bucket.js';
import { round, type BenchContext } from '../harness/bench-context.js';
import { startEstateFabric } from '../../test-support/estate-fabric.js';
import { pinProcess, SERVER_CORE } from '../harness/cpu-pinning.js';

/** base64url SHA-256, as the stores key a jti: distinct ids of a realistic shape. */
const sha256Base64url = (text: string): string => createHash('sha256').update(text).digest('base64url');

/** One sender key per this many claims, as many clients would spread them. */
const CLAIMS_PER_SCOPE = 5_000;
const TTL_S = 70; // seconds: the edge's default proof window, 60 s past + 10 s future

export interface ReplayStoreMeasurement {
  readonly claimsPerSecond: number;
  readonly claims: number;
  readonly seconds: number;
  readonly meanLatencyMs: number;
  readonly inFlight: number;
  /** A jti claimed during the run, claimed again afterwards: must be false. */
  readonly replayRefused: boolean;
  readonly note: string;
}

/** Claims that fit the 32 MiB memory bucket with room to spare (~150 B an entry, with the warm-up). */
const MEMORY_BUCKET_MAX_CLAIMS = 120_000;

export interface ReplayStoreMeasurements {
  readonly memory: ReplayStoreMeasurement;
  readonly jetstream_file: ReplayStoreMeasurement;
  readonly jetstream_memory: ReplayStoreMeasurement;
}

/**
 * Claims per second of `claim()`: the in-memory store in this process, and the JetStream store
 * against a real mTLS nats-server (pinned to the server core) with file and with memory storage.
 * Each claim is a new (scope, jti hash), as in real traffic; ids are hashed before the clock runs.
 */
export async function measureReplayStores(context: BenchContext): Promise<ReplayStoreMeasurements> {
  const { settings } = context;
  const memoryStore = new MemoryReplayStore({ maxEntries: 10_000_000, maxEntriesPerScope: 10_000_000, sweepIntervalMs: 0 });
  const memory = await claimLoop(memoryStore, { claims: settings.memoryClaims, inFlight: 1 }, 'in this process, one claim awaited at a time; bounds raised for the run');
  memoryStore.close();
  context.log(`  memory: ${memory.claimsPerSecond} claims/s`);

  const fabric = await startEstateFabric({ purpose: 'bench' });
  const connections: NatsConnection[] = [];
  const as = async (identity: 'admin' | 'edge' | 'orders'): Promise<NatsConnection> => {
    const connection = await connect(natsConnectionOptions(loadEstateConfig(fabric.env(), identity)));
    connections.push(connection);
    return connection;
  };
  try {
    pinProcess(context.pinning, fabric.supervisor.pid!, SERVER_CORE);
    const admin = await as('admin');
    await provisionReplayBucket(admin, { bucket: 'edge', windowSeconds: TTL_S, storage: 'file' });
    // The fabric's nats-server allows 64 MiB of memory storage in all (render-nats-config.ts).
    await provisionReplayBucket(admin, { bucket: 'orders', windowSeconds: TTL_S, storage: 'memory', maxBytes: 32 * 1024 * 1024 });
    const run = async (identity: 'edge' | 'orders', note: string, maxClaims?: number): Promise<ReplayStoreMeasurement> => {
      const connection = await as(identity);
      const store = await JetStreamReplayStore.open(await new Kvm(connection).open(identity), { connection });
      // A short warm-up: the connection, the stream's first blocks.
      await claimLoop(store, { seconds: 0.5, inFlight: settings.jetStreamInFlight }, '');
      const measurement = await claimLoop(store, { seconds: settings.jetStreamSeconds, inFlight: settings.jetStreamInFlight, ...(maxClaims === undefined ? {} : { claims: maxClaims }) }, note);
      store.close();
      return measurement;
    };
    const jetstreamFile = await run('edge', 'nats-server (the pinned release) on the server core, mTLS, file storage (the edge default)');
    context.log(`  jetstream (file): ${jetstreamFile.claimsPerSecond} claims/s`);
    // A full bucket refuses claims (fail closed), so the memory run stops well inside its 32 MiB.
    const jetstreamMemory = await run('orders', 'same server, memory storage (claims lost on a broker restart); at most 120 000 claims', MEMORY_BUCKET_MAX_CLAIMS);
    context.log(`  jetstream (memory): ${jetstreamMemory.claimsPerSecond} claims/s`);
    return { memory, jetstream_file: jetstreamFile, jetstream_memory: jetstreamMemory };
  } finally {
    for (const connection of connections) await connection.close().catch(() => undefined);
    await fabric.stop();
  }
}

interface LoopBound {
  readonly claims?: number;
  readonly seconds?: number;
  readonly inFlight: number;
}

async function claimLoop(store: ReplayStore, bound: LoopBound, note: string): Promise<ReplayStoreMeasurement> {
  const run = sha256Base64url(String(Math.random())).slice(0, 8);
  const limit = bound.claims ?? Number.POSITIVE_INFINITY;
  const ids = bound.claims === undefined ? undefined : Array.from({ length: bound.claims }, (_, i) => sha256Base64url(`${run}.${i}`));
  const idOf = (i: number): string => ids?.[i] ?? sha256Base64url(`${run}.${i}`);
  const scopeOf = (i: number): string => `scope-${run}-${Math.floor(i / CLAIMS_PER_SCOPE)}`;
  let next = 0;
  let claimed = 0;
  let refused = 0;
  let latencyTotalMs = 0;
  const started = performance.now();
  const deadline = bound.seconds === undefined ? Number.POSITIVE_INFINITY : started + bound.seconds * 1000;
  const worker = async (): Promise<void> => {
    while (next < limit && performance.now() < deadline) {
      const i = next++;
      const before = performance.now();
      if (await store.claim(scopeOf(i), idOf(i), TTL_S)) claimed++;
      else refused++;
      latencyTotalMs += performance.now() - before;
    }
  };
  await Promise.all(Array.from({ length: bound.inFlight }, worker));
  const seconds = (performance.now() - started) / 1000;
  if (refused > 0) throw new Error(`replay store refused ${refused} first claims of distinct jtis`);
  const replayRefused = next > 0 && (await store.claim(scopeOf(0), idOf(0), TTL_S)) === false;
  return {
    claimsPerSecond: round(claimed / seconds),
    claims: claimed,
    seconds: round(seconds, 2),
    meanLatencyMs: round(latencyTotalMs / Math.max(claimed, 1), 3),
    inFlight: bound.inFlight,
    replayRefused,
    note,
  };
}
