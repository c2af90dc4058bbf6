// The public surface of libs/estate, listed by hand. Shared app wiring only (identities,
// configuration, NATS options); no token or binding logic lives here. Apps import '#estate'.
export {
  ADMIN_IDENTITY,
  ESTATE_IDENTITIES,
  TRUST_DOMAIN,
  WORKLOADS,
  inboxPrefixOf,
  isEstateIdentity,
  isWorkload,
  kvBucketOf,
  queueGroupOf,
  spiffeIdOf,
  stateBucketOf,
  type EstateIdentity,
  type Workload,
} from './identity/estate-identity.js';
export { EstateStreams, EstateSubjects } from './identity/estate-subjects.js';
export { EstateConfigError } from './config/estate-config-error.js';
export {
  httpUrlVariable,
  integerVariable,
  listVariable,
  oneOfVariable,
  optionalVariable,
  requiredVariable,
  type Env,
  type HttpUrlForm,
  type HttpUrlOptions,
  type ListVariableOptions,
} from './config/env-variables.js';
export {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_HOP_REPLAY_MAX_ENTRIES,
  DEFAULT_HOP_REPLAY_MAX_PER_SENDER,
  DEFAULT_RECONNECT_WAIT_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  loadEstateConfig,
  type EstateConfig,
  type HopReplayLimits,
  type HopReplayStoreKind,
  type LoadEstateConfigOptions,
} from './config/estate-config.js';
export type { TlsIdentity } from './config/tls-identity.js';
export {
  DEFAULT_MAX_PINGS_OUT,
  DEFAULT_PING_INTERVAL_MS,
  natsClientOptions,
  natsConnectionOptions,
  natsMicroserviceOptions,
} from './nats/nats-connection-options.js';
export { natsRecord } from './nats/nats-record.js';
export { NatsRequestTimeoutError, requestWithTimeout } from './nats/request-with-timeout.js';
export { PrivateFileError, readPrivateFile, writePrivateFile } from './files/private-file.js';
export { openEstateLink, startEstateRevocationFeed, type EstateLink, type EstateLinkOptions } from './workload/estate-link.js';
export { estateOutboundClient, HOP_PROOF_WINDOW_S, hopBindingOptions, openHopReplayStore, STS_ISSUER } from './workload/workload-binding.js';
export { closeOnShutdown, type Closer } from './workload/close-on-shutdown.js';
export { isStateBucketFull, openStateBucket, stateBucketFullException } from './workload/state-bucket.js';
