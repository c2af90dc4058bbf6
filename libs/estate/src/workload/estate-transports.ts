import type { EstateConfig } from '../config/estate-config.js';
import type { Workload } from '../identity/estate-identity.js';
import { natsClientOptions, natsMicroserviceOptions, natsTlsOptions } from '../nats/nats-connection-options.js';
import { RotatingClientNats } from '../nats/rotating-client-nats.js';
import type { RotatingServerNats } from '../nats/rotating-server-nats.js';
import { TracedServerNats } from '../telemetry/traced-server-nats.js';
import type { EstateLink } from './estate-link.js';

/**
 * The Nest microservice transport of a workload (its handlers, in its queue group), moving to each
 * renewed certificate make-before-break (L3). Pass it as
 * `NestFactory.createMicroservice(module, { strategy: estateServerNats(link) })`.
 * Requests in flight at a renewal get at most the request timeout to be answered. Each request is
 * handled in a NATS consumer span joined to the caller's trace (TracedServerNats, O2).
 */
export function estateServerNats(link: EstateLink): RotatingServerNats {
  const config = link.config as EstateConfig<Workload>;
  const server = new TracedServerNats({ ...natsMicroserviceOptions(config).options, tls: natsTlsOptions(link.identity.current) }, config.requestTimeoutMs);
  link.follow(server);
  return server;
}

/**
 * The Nest ClientNats of a workload that calls others (the outbound client's transport), moving to
 * each renewed certificate make-before-break (L3). Connect it before use; close it with the app.
 */
export function estateClientNats(link: EstateLink): RotatingClientNats {
  const client = new RotatingClientNats({ ...natsClientOptions(link.config).options, tls: natsTlsOptions(link.identity.current) }, link.config.requestTimeoutMs);
  link.follow(client);
  return client;
}
