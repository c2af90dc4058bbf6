import { Kvm } from '@nats-io/kv';
import { CappedReplayStore, createAccessTokenVerifier, DEFAULT_IAT_FUTURE_S, DEFAULT_IAT_PAST_S, MemoryReplayStore, type ReplayStore } from '#binding/core';
import type { BindingModuleOptions } from '#binding/nest';
import { clientProxyTransport } from '#binding/nest/rpc';
import { createHopVerifier, createOutboundClient, JetStreamReplayStore, type OutboundClient } from '#binding/hop';
import { EstateConfigError } from '../config/estate-config-error.js';
import { isWorkload, kvBucketOf, spiffeIdOf } from '../identity/estate-identity.js';
import { observedReplayStore } from '../telemetry/observed-replay-store.js';
import { workloadTelemetry } from '../telemetry/workload-telemetry.js';
import type { EstateLink } from './estate-link.js';

/** The STS is the only issuer of internal tokens (ARCHITECTURE "Exchange"). */
export const STS_ISSUER = spiffeIdOf('sts');

/**
 * The guard's options for a workload's NATS handlers (ARCHITECTURE "Check at B", H1-H12): hop
 * proofs addressed to this workload's SPIFFE ID, certificates from the estate CA, tokens from the
 * STS for this workload, the revocations heard on the feed, and `replay` (openHopReplayStore).
 */
export function hopBindingOptions(link: EstateLink, replay: ReplayStore): BindingModuleOptions {
  const audience = link.config.spiffeId;
  return {
    hop: createHopVerifier({
      audience,
      certificates: link.certificates,
      replay,
      tokens: createAccessTokenVerifier({ issuer: STS_ISSUER, audience, keys: link.stsKeys }),
      revocations: link.revocations,
    }),
    // O1-O3: every decision of the guard as a span, a count and (refusals) an audit line.
    observer: workloadTelemetry(link.config.identity).binding,
  };
}

/**
 * How long a hop proof (or a caller proof at the STS) can be accepted, so how long its claim must
 * last; the edge's default DPoP window is the same 60 s + 10 s. Replay buckets are provisioned for it.
 */
export const HOP_PROOF_WINDOW_S = DEFAULT_IAT_PAST_S + DEFAULT_IAT_FUTURE_S; // seconds

/**
 * Where this workload claims the `jti` of every hop proof it accepts (H6), per HOP_REPLAY_STORE:
 * - `jetstream` (default): its own KV bucket (`kvBucketOf`, e.g. `orders`), on the link's
 *   connection, shared by every replica and kept across restarts. The operator provisions it
 *   (scripts/nats/provision-jetstream.ts). Start-up fails when it is missing or forgets claims
 *   before a proof stops being acceptable. Unreachable or full, a claim is refused (503). Each
 *   replica caps its claims by HOP_REPLAY_MAX_ENTRIES / HOP_REPLAY_MAX_PER_SENDER
 *   (CappedReplayStore), so one sender cannot fill the bucket for all.
 * - `memory`: this process only, bounded by HOP_REPLAY_MAX_ENTRIES / HOP_REPLAY_MAX_PER_SENDER.
 *   For a single replica that is never restarted within a proof window.
 * Close it with the app (`close()` stops following the connection; the link closes that).
 */
export async function openHopReplayStore(link: EstateLink): Promise<ReplayStore & { close(): void }> {
  const { store, maxEntries, maxEntriesPerSender } = link.config.hopReplay;
  const limits = { maxEntries, maxEntriesPerScope: maxEntriesPerSender };
  // O1: claims counted by outcome (claimed, replayed, full, unavailable).
  if (store === 'memory') return observedReplayStore(new MemoryReplayStore(limits), link.config.identity);
  const identity = link.config.identity;
  if (!isWorkload(identity)) throw new EstateConfigError('HOP_REPLAY_STORE', `${identity} receives no hops and has no replay bucket`);
  const bucket = kvBucketOf(identity);
  const replay = await JetStreamReplayStore.open(await new Kvm(link.connection).open(bucket), { connection: link.connection });
  if (replay.maxTtlSeconds < HOP_PROOF_WINDOW_S) {
    replay.close();
    throw new EstateConfigError('HOP_REPLAY_STORE', `bucket ${bucket} keeps claims ${replay.maxTtlSeconds} s, less than the hop proof window of ${HOP_PROOF_WINDOW_S} s: provision JetStream again`);
  }
  return observedReplayStore(new CappedReplayStore(replay, limits), link.config.identity);
}

/**
 * The outbound client of a workload that calls others: exchanges at the STS as this workload
 * (its certificate signs the proofs), through its connected ClientNats, each request bounded by
 * the configured NATS_REQUEST_TIMEOUT_MS.
 */
export function estateOutboundClient(link: EstateLink, client: Parameters<typeof clientProxyTransport>[0], options: { readonly exchangeTimeoutMs?: number } = {}): OutboundClient {
  return createOutboundClient({
    transport: clientProxyTransport(client),
    signer: link.signer,
    stsAudience: STS_ISSUER,
    timeoutMs: link.config.requestTimeoutMs,
    exchangeTimeoutMs: options.exchangeTimeoutMs ?? Math.min(link.config.requestTimeoutMs, 2_000),
    // O1, O2: producer spans whose trace context the hop proof covers; exchange-cache hits.
    observer: workloadTelemetry(link.config.identity).outbound,
  });
}
