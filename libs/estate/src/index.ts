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
  parseEnvironment,
  refuseVariable,
  variable,
  type VariableShape,
} from './config/env-schema.js';
export {
  appConfigFeature,
  appConfigToken,
  appConfigModule,
  configurationFromEnvironment,
  type AppConfigService,
  type AppConfiguration,
} from './config/app-configuration.js';
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
  ESTATE_VARIABLES,
  estateEnvironment,
  loadEstateConfig,
  natsConfiguration,
  NATS_VARIABLES,
  OPS_VARIABLES,
  type EstateVariables,
  type EstateConfig,
  type HopReplayLimits,
  type HopReplayStoreKind,
  type LoadEstateConfigOptions,
} from './config/estate-config.js';
export type { TlsIdentity } from './config/tls-identity.js';
export {
  DEFAULT_PAIR_SETTLE_MS,
  readCertificateKeyPair,
  readCertificateKeyPairAsync,
  type CertificateKeyPair,
  type PairFile,
  type ReadPairOptions,
} from './config/certificate-key-pair.js';
export {
  DEFAULT_MAX_PINGS_OUT,
  DEFAULT_PING_INTERVAL_MS,
  natsClientOptions,
  natsConnectionOptions,
  natsMicroserviceOptions,
  natsTlsOptions,
  type NatsTlsOptions,
} from './nats/nats-connection-options.js';
export { RotatingConnection } from './nats/rotating-connection.js';
export { RotatingServerNats } from './nats/rotating-server-nats.js';
export { RotatingClientNats } from './nats/rotating-client-nats.js';
export { natsRecord } from './nats/nats-record.js';
export { NatsRequestTimeoutError, requestWithTimeout } from './nats/request-with-timeout.js';
export { PrivateFileError, readPrivateFile, writePrivateFile } from './files/private-file.js';
export { openEstateLink, startEstateRevocationFeed, type EstateLink, type EstateLinkOptions } from './workload/estate-link.js';
// Certificate lifecycle (SECURITY.md L1-L4, L6): renewed files followed live, readiness, operations port
export {
  DEFAULT_IDENTITY_DEBOUNCE_MS, DEFAULT_IDENTITY_POLL_MS, IdentityWatcher, type IdentityListener, type IdentityWatcherOptions,
} from './workload/identity-watcher.js';
export { DEFAULT_ROTATION_RETRY_MS, WorkloadIdentity, type TlsRotatable, type WorkloadIdentityOptions } from './workload/workload-identity.js';
export { estateClientNats, estateServerNats } from './workload/estate-transports.js';
export { startEstateOperations } from './workload/estate-operations.js';
export { Readiness, type ReadinessCheck } from './ops/readiness.js';
export { certificateReadiness, DEFAULT_CERT_READY_MARGIN_FRACTION, type CertificateReadinessOptions } from './ops/certificate-readiness.js';
export { DEFAULT_OPS_HOST, OperationsServer, type OperationsRoute, type OperationsServerOptions } from './ops/operations-server.js';
export { estateOutboundClient, HOP_PROOF_WINDOW_S, hopBindingOptions, openHopReplayStore, STS_ISSUER } from './workload/workload-binding.js';
export { closeOnShutdown, type Closer } from './workload/close-on-shutdown.js';
export { isStateBucketFull, isStateBucketUnavailable, openStateBucket, STATE_BUCKET_TIMEOUT_MS, stateBucketFullException, stateBucketUnavailableException } from './workload/state-bucket.js';
// Observability (issue 12, SECURITY.md O1-O4): OpenTelemetry, Prometheus text, the audit trail
export * from './telemetry/index.js';
