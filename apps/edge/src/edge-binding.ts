import { createAccessTokenVerifier } from '#binding/core';
import { createDpopVerifier, createRemoteKeySet, discoverRemoteKeySet } from '#binding/dpop';
import type { BindingModuleOptions } from '#binding/nest';
import { observedReplayStore, workloadTelemetry } from '#estate';
import type { EdgeConfig } from './edge-config.js';
import type { EdgeReplayStore } from './edge-replay-store.js';
import type { EdgeRevocations } from './edge-revocations.js';

/**
 * Builds the edge's DPoP verifier once, at start-up, from its configuration: the issuer's keys
 * (JWKS URI, or discovered from the issuer's metadata), the token verifier, the replay store
 * (EdgeReplayStore), the nonce settings and, with NATS, the revocations (H12). All checking lives
 * in libs/binding; this file only wires it.
 */
export async function createEdgeBinding(config: EdgeConfig, revocations: EdgeRevocations, replay: EdgeReplayStore): Promise<BindingModuleOptions> {
  // An http issuer is a development set-up the operator chose explicitly; https otherwise.
  const allowHttp = config.issuer.startsWith('http:');
  const keys =
    config.jwksUri === undefined
      ? (await discoverRemoteKeySet(config.issuer, { allowHttp, cooldownMs: config.jwksCooldownMs })).keys
      : createRemoteKeySet(config.jwksUri, { allowHttp, cooldownMs: config.jwksCooldownMs });
  const tokenVerifier = createAccessTokenVerifier({ issuer: config.issuer, audience: config.audience, keys });
  const dpop = createDpopVerifier({
    tokenVerifier,
    replayStore: observedReplayStore(replay.store, 'edge'),
    origins: [config.publicUrl],
    pathPrefix: config.pathPrefix === '' ? undefined : config.pathPrefix,
    trustedProxies: config.trustedProxies,
    algorithms: config.dpopAlgorithms,
    nonce: config.nonceMode === 'off' ? undefined : { mode: config.nonceMode, secret: config.nonceSecret },
    iatPastSeconds: config.iatPastSeconds,
    iatFutureSeconds: config.iatFutureSeconds,
    revocations: revocations.list,
  });
  // O1-O3: every decision at the door as a verification span, a count and (refusals) an audit line.
  return { dpop, observer: workloadTelemetry('edge').binding };
}
