// The public surface of libs/binding, listed by hand. Apps import only from here ('#binding').
export { BindingConfigError, BindingError, type BindingErrorOptions } from './errors/binding-error.js';
export { FAILURES, FailureType, toHopMapping, type ErrorCode, type FailureMapping } from './errors/failure-type.js';
export { systemClock, type Clock } from './time/clock.js';
export type { ReplayStore } from './replay/replay-store.js';
export { constantTimeEqual, sha256Base64url } from './crypto/digest.js';
export type { AccessTokenClaims, AccessTokenVerifier, Actor, ConfirmationMethod } from './token/access-token.js';
export {
  checkCertificateThumbprint,
  checkConfirmationMethod,
  checkJktConfirmation,
  confirmationMethodOf,
} from './token/check-confirmation.js';
