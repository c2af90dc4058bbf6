import { errors, type JWTVerifyGetKey } from 'jose';
import { BindingError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';

/**
 * Wraps the issuer's key resolver so that its failures are classified where they happen, not
 * guessed afterwards: a key set that cannot be fetched, parsed or trusted is the issuer's outage
 * (`KeySetUnavailable`, 503), while a token naming no key of the issuer is the token's fault
 * (`TokenSignature`, 401). A fetch failure surfaces from jose as a bare TypeError or a plain
 * JOSEError ("Expected 200 OK"), indistinguishable from other errors outside this wrapper.
 * A BindingError thrown by a custom key source (e.g. STS keys over NATS) passes through as is.
 * Does not retry or rate-limit fetches: the key source does (createRemoteKeySet).
 */
export function classifyKeySourceErrors(keys: JWTVerifyGetKey): JWTVerifyGetKey {
  return async (protectedHeader, token) => {
    try {
      return await keys(protectedHeader, token);
    } catch (error) {
      throw keySourceFailure(error);
    }
  };
}

function keySourceFailure(error: unknown): BindingError {
  if (error instanceof BindingError) return error;
  if (error instanceof errors.JWKSNoMatchingKey) {
    return new BindingError(FailureType.TokenSignature, 'no key of the issuer matches the token', { cause: error });
  }
  if (error instanceof errors.JWKSMultipleMatchingKeys) {
    return new BindingError(FailureType.TokenSignature, 'the token does not identify one key of the issuer (kid)', { cause: error });
  }
  if (error instanceof errors.JOSENotSupported) {
    return new BindingError(FailureType.TokenAlgorithm, 'the token algorithm is not supported by the issuer keys', { cause: error });
  }
  if (error instanceof errors.JWKSTimeout) {
    return new BindingError(FailureType.KeySetUnavailable, 'the issuer key set did not answer in time', { cause: error });
  }
  return new BindingError(FailureType.KeySetUnavailable, 'the issuer key set is unavailable', { cause: error });
}

/**
 * Maps a failure of jose's jwtVerify to one failure type (E18, H8). Unknown errors fail closed as
 * `TokenSignature`, keeping the cause. Descriptions name the check, never the token's content.
 * Does not inspect the token: it classifies the error only.
 */
export function mapTokenError(error: unknown): BindingError {
  if (error instanceof BindingError) return error;
  if (error instanceof errors.JWTExpired) {
    return new BindingError(FailureType.TokenExpired, 'token has expired', { cause: error });
  }
  if (error instanceof errors.JWTClaimValidationFailed) return claimFailure(error);
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return new BindingError(FailureType.TokenAlgorithm, 'token algorithm is not allowed', { cause: error });
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return new BindingError(FailureType.TokenSignature, 'token signature is invalid', { cause: error });
  }
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid || error instanceof errors.JOSENotSupported) {
    return new BindingError(FailureType.TokenMalformed, 'token is not a well-formed signed JWT', { cause: error });
  }
  return new BindingError(FailureType.TokenSignature, 'token could not be verified', { cause: error });
}

function claimFailure(error: errors.JWTClaimValidationFailed): BindingError {
  const options = { cause: error };
  switch (error.claim) {
    case 'iss':
      return new BindingError(FailureType.TokenIssuer, 'token issuer is not the configured issuer', options);
    case 'aud':
      return new BindingError(FailureType.TokenAudience, 'token audience does not include this resource', options);
    case 'typ':
      return new BindingError(FailureType.TokenType, 'token typ is not at+jwt', options);
    case 'nbf':
      // No "not yet valid" member exists; a token outside its validity period is TokenExpired.
      if (error.reason === 'check_failed') return new BindingError(FailureType.TokenExpired, 'token is not yet valid (nbf)', options);
      return new BindingError(FailureType.TokenMalformed, 'token nbf claim is not a number', options);
    default:
      return new BindingError(FailureType.TokenMalformed, `token ${error.reason === 'missing' ? 'lacks' : 'has an invalid'} ${claimName(error.claim)} claim`, options);
  }
}

/** Only registered claim names reach a description; anything else could be attacker-chosen text. */
function claimName(claim: string): string {
  return ['exp', 'sub', 'iat', 'jti'].includes(claim) ? claim : 'required';
}
