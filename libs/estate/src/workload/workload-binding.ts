import type { ClientProxy } from '@nestjs/microservices';
import {
  createAccessTokenVerifier,
  createHopVerifier,
  createOutboundClient,
  MemoryReplayStore,
  type BindingModuleOptions,
  type OutboundClient,
  type ReplayStore,
} from '#binding';
import { spiffeIdOf } from '../identity/estate-identity.js';
import type { EstateLink } from './estate-link.js';

/** The STS is the only issuer of internal tokens (ARCHITECTURE "Exchange"). */
export const STS_ISSUER = spiffeIdOf('sts');

/**
 * The guard's options for a workload's NATS handlers (ARCHITECTURE "Check at B", H1-H12): hop
 * proofs addressed to this workload's SPIFFE ID, certificates from the estate CA, tokens from the
 * STS for this workload, the revocations heard on the feed. Pass a shared replay store when the
 * workload runs more than one replica; the default claims `jti`s in this process only, within the
 * configured HOP_REPLAY_* bounds.
 */
export function hopBindingOptions(link: EstateLink, replay: ReplayStore = hopReplayStore(link)): BindingModuleOptions {
  const audience = link.config.spiffeId;
  return {
    hop: createHopVerifier({
      audience,
      certificates: link.certificates,
      replay,
      tokens: createAccessTokenVerifier({ issuer: STS_ISSUER, audience, keys: link.stsKeys }),
      revocations: link.revocations,
    }),
  };
}

/** A process-local replay store for hop proofs (H6), bounded by HOP_REPLAY_MAX_ENTRIES / _PER_SENDER. */
export function hopReplayStore(link: EstateLink): MemoryReplayStore {
  const { maxEntries, maxEntriesPerSender } = link.config.hopReplay;
  return new MemoryReplayStore({ maxEntries, maxEntriesPerScope: maxEntriesPerSender });
}

/**
 * The outbound client of a workload that calls others: exchanges at the STS as this workload
 * (its certificate signs the proofs), through its connected ClientNats, each request bounded by
 * the configured NATS_REQUEST_TIMEOUT_MS.
 */
export function estateOutboundClient(link: EstateLink, client: ClientProxy, options: { readonly exchangeTimeoutMs?: number } = {}): OutboundClient {
  return createOutboundClient({
    client,
    signer: link.signer,
    stsAudience: STS_ISSUER,
    timeoutMs: link.config.requestTimeoutMs,
    exchangeTimeoutMs: options.exchangeTimeoutMs ?? Math.min(link.config.requestTimeoutMs, 2_000),
  });
}
