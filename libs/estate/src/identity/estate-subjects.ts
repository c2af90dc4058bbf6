/** Subjects fixed by ARCHITECTURE.md "NATS"; services add their verbs (`orders.<verb>`). */
export const EstateSubjects = Object.freeze({
  stsExchange: 'sts.exchange',
  stsJwks: 'sts.jwks',
  revocations: 'estate.revocations',
});

/**
 * The JetStream stream that keeps every revocation announced on `estate.revocations` (it captures
 * that subject), so a service that starts later learns the ones in force. Provisioned by the
 * operator (scripts/nats/provision-jetstream.ts); workloads only read it.
 */
export const EstateStreams = Object.freeze({
  revocations: 'REVOCATIONS',
});
