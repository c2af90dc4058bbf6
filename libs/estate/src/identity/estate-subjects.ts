/** Subjects fixed by ARCHITECTURE.md "NATS"; services add their verbs (`orders.<verb>`). */
export const EstateSubjects = Object.freeze({
  stsExchange: 'sts.exchange',
  stsJwks: 'sts.jwks',
  revocations: 'estate.revocations',
});
