import { createAccessTokenVerifier, MemoryReplayStore } from '@hybrid-estate/binding';
import { createDpopVerifier, discoverRemoteKeySet } from '@hybrid-estate/binding/dpop';
import type { BindingModuleOptions } from '@hybrid-estate/binding/nest';
import type { Settings } from './settings';

/**
 * Built once, at start-up: the issuer's keys (discovered, fetched once so a broken issuer stops the
 * app), the access-token verifier and the DPoP verifier with a replay store. One process here: use
 * JetStreamReplayStore (`@hybrid-estate/binding/hop`) or your own shared store with replicas.
 */
export async function createBindingOptions(settings: Settings): Promise<BindingModuleOptions> {
  // RFC 8414 requires https; a local test issuer on http:// must be allowed explicitly.
  const allowHttp = new URL(settings.issuer).protocol === 'http:';
  const { keys } = await discoverRemoteKeySet(settings.issuer, { allowHttp });
  const tokenVerifier = createAccessTokenVerifier({ issuer: settings.issuer, audience: settings.audience, keys });
  const dpop = createDpopVerifier({ tokenVerifier, replayStore: new MemoryReplayStore(), origins: [settings.publicOrigin] });
  return { dpop };
}
