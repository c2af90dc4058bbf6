import type { ConnectionOptions } from '@nats-io/transport-node';
import { Transport, type NatsOptions } from '@nestjs/microservices';
import type { EstateConfig } from '../config/estate-config.js';
import type { TlsIdentity } from '../config/tls-identity.js';
import { inboxPrefixOf, queueGroupOf, type Workload } from '../identity/estate-identity.js';

/** Client pings this often, so a dead broker is noticed in about 3 x 10 s, not the default 4 min. */
export const DEFAULT_PING_INTERVAL_MS = 10_000; // milliseconds
export const DEFAULT_MAX_PINGS_OUT = 3;

/**
 * Options for `connect()` of `@nats-io/transport-node`: the app's own certificate is its only
 * credential (the broker maps its URI SAN to a user), and its inbox prefix is the only inbox it
 * may subscribe to. A fresh object each call: the client keeps references to what it is given.
 */
export function natsConnectionOptions(config: EstateConfig): ConnectionOptions {
  return {
    servers: [...config.servers],
    name: config.identity,
    tls: natsTlsOptions(config.tls),
    inboxPrefix: inboxPrefixOf(config.identity),
    // Without a client certificate the server drops the connection after the TLS handshake and
    // the client only notices by timing out: keep the wait short.
    timeout: config.connectTimeoutMs,
    // Services outlive broker restarts: retry forever, at a steady pace.
    reconnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: config.reconnectWaitMs,
    // Start-up fails fast when the broker is unreachable; the orchestrator restarts the app.
    waitOnFirstConnect: false,
    // Kept at the client default (false) on purpose: two authorization errors in a row mean this
    // certificate no longer maps to a user (the broker's users changed), which retrying cannot
    // fix. The client closes, the app exits and the orchestrator makes the failure visible.
    // Certificate renewals do not reconnect: each is a new connection (RotatingConnection,
    // RotatingServerNats, RotatingClientNats), so a refusal of the renewed certificate leaves the
    // current connection untouched (retried later); a reconnect after an outage presents the
    // newest certificate that the broker already accepted.
    ignoreAuthErrorAbort: false,
    pingInterval: DEFAULT_PING_INTERVAL_MS,
    maxPingOut: DEFAULT_MAX_PINGS_OUT,
    // No stack trace captured for every request in case it times out: nats.js otherwise builds two
    // Error objects per request (a RequestError and a TimeoutError), which cost the order flow
    // about a tenth of its CPU (perf: V8 stack capture, 60-170 µs per order in orders and
    // inventory). A timeout still says which subject timed out; every outbound call of the
    // estate has its own bounded timeout and names its stage.
    noAsyncTraces: true,
  };
}

/** The client's TLS credentials: PEM text, so a renewed identity is what the next connection presents. */
export interface NatsTlsOptions {
  readonly cert: string;
  readonly key: string;
  readonly ca: string;
}

/** TLS options for `connect()` from an identity (the one loaded at start-up, or a renewed one). */
export function natsTlsOptions(identity: TlsIdentity): NatsTlsOptions {
  return { cert: identity.cert, key: identity.key, ca: identity.ca };
}

/**
 * `Transport.NATS` options for a Nest microservice (the handler side): the connection above plus
 * the workload's queue group, the only group the broker lets it subscribe its subjects in.
 */
export function natsMicroserviceOptions(config: EstateConfig<Workload>): NatsOptions {
  return {
    transport: Transport.NATS,
    options: { ...natsConnectionOptions(config), queue: queueGroupOf(config.identity) },
  };
}

/**
 * `Transport.NATS` options for a Nest ClientProxy (the caller side; `ClientsModule.register` or
 * `ClientProxyFactory.create`). Its replies arrive under the identity's inbox prefix.
 * `send()` has no timeout of its own: call it through `requestWithTimeout`.
 */
export function natsClientOptions(config: EstateConfig): NatsOptions {
  return { transport: Transport.NATS, options: natsConnectionOptions(config) };
}
