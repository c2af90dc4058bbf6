import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { EstateSubjects, queueGroupOf } from '#estate';
import type { StsKeyRing } from './keys/sts-key-ring.js';

/**
 * Serves the STS's public keys on `sts.jwks` (ARCHITECTURE "NATS"): each request is answered with
 * the current JWKS document (RFC 7517 §5) as plain JSON, as a JWKS URI would, so any NATS client can
 * read it (libs/binding createNatsKeySet does). A plain subscription rather than a Nest handler: the
 * reply is the document itself, not wrapped in Nest's message envelope. In the `sts` queue group,
 * the only one the broker lets the STS serve in.
 */
export function serveJwks(connection: NatsConnection, keys: StsKeyRing): Subscription {
  return connection.subscribe(EstateSubjects.stsJwks, {
    queue: queueGroupOf('sts'),
    callback: (error, message) => {
      if (error === null) message.respond(JSON.stringify(keys.jwks()));
    },
  });
}
