import { digestEquals } from '../crypto/digest.js';
import { BindingError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import type { AccessTokenClaims, ConfirmationMethod } from './access-token.js';

/** RFC 7800 §3.1 `cnf` members that bind a token: RFC 9449 §6.1 and RFC 8705 §3.1. */
const MEMBER_OF: Readonly<Record<ConfirmationMethod, string>> = { dpop: 'jkt', mtls: 'x5t#S256' };

/** The confirmation method a token declares, or `undefined` for a bearer (unbound) token. */
export function confirmationMethodOf(claims: AccessTokenClaims): ConfirmationMethod | undefined {
  const cnf = claims.cnf;
  if (cnf === undefined || cnf === null || typeof cnf !== 'object') return undefined;
  if (Object.hasOwn(cnf, MEMBER_OF.dpop)) return 'dpop';
  if (Object.hasOwn(cnf, MEMBER_OF.mtls)) return 'mtls';
  return undefined;
}

/**
 * E21, H10: the token's confirmation method is the one this route or hop requires. A bearer
 * token where a bound one is required is `UnboundToken`; a token bound the other way (a DPoP
 * token forwarded inward, a certificate-bound token presented at the edge) is
 * `ConfirmationMethod`. A token naming both methods is refused: which key holds it would be a
 * guess. Does not compare the bound value: checkJktConfirmation and checkCertificateThumbprint do.
 */
export function checkConfirmationMethod(claims: AccessTokenClaims, required: ConfirmationMethod): void {
  const cnf = claims.cnf;
  if (cnf !== undefined && (cnf === null || typeof cnf !== 'object' || Array.isArray(cnf))) {
    throw new BindingError(FailureType.TokenMalformed, 'cnf claim is not an object');
  }
  if (cnf !== undefined && Object.hasOwn(cnf, MEMBER_OF.dpop) && Object.hasOwn(cnf, MEMBER_OF.mtls)) {
    throw new BindingError(FailureType.ConfirmationMethod, 'token names more than one confirmation method');
  }
  const method = confirmationMethodOf(claims);
  if (method === undefined) {
    throw new BindingError(FailureType.UnboundToken, `token is not bound; this resource requires ${required}`);
  }
  if (method !== required) {
    throw new BindingError(FailureType.ConfirmationMethod, `token is bound by ${method}; this resource requires ${required}`);
  }
}

/**
 * E5, E21: a token presented without any proof (the Bearer scheme) confirms no key. RFC 9449 §7.2
 * "such a protected resource MUST reject a DPoP-bound access token received as a bearer token":
 * `cnf.jkt` is `SchemeDowngrade`. A certificate-bound token (`x5t#S256`) is `ConfirmationMethod`:
 * the edge has no client certificate to check it against (E21), and without one it is a
 * downgrade too. Any other `cnf` member (RFC 7800 §3.1 `jwk`, `jwe`, `kid`, `jku`) also binds the
 * token to a key the presenter must prove, so it is `ConfirmationMethod` as well: a bound token of
 * a kind we cannot check is never taken for an unbound one. An empty `cnf` object binds nothing.
 * Does not decide whether an unbound token is welcome: the route's policy does (checkSchemeBinding).
 */
export function checkNoConfirmation(claims: AccessTokenClaims): void {
  const cnf: unknown = claims.cnf;
  if (cnf === undefined) return;
  if (cnf === null || typeof cnf !== 'object' || Array.isArray(cnf)) {
    throw new BindingError(FailureType.TokenMalformed, 'cnf claim is not an object');
  }
  const method = confirmationMethodOf(claims);
  if (method === 'dpop') {
    throw new BindingError(FailureType.SchemeDowngrade, 'DPoP-bound token presented with the Bearer scheme');
  }
  if (method === 'mtls') {
    throw new BindingError(FailureType.ConfirmationMethod, 'certificate-bound token presented with the Bearer scheme');
  }
  if (Object.keys(cnf).length > 0) {
    throw new BindingError(FailureType.ConfirmationMethod, 'token is bound by a confirmation method this resource cannot check');
  }
}

/**
 * E20: RFC 9449 §7.1 "confirm that the public key to which the access token is bound matches the
 * public key from the DPoP proof": `cnf.jkt` is a non-empty string equal to the RFC 7638
 * thumbprint of the proof's `jwk`, compared in constant time. Other `cnf` members are ignored.
 * Does not check that `jkt` is the method this route requires: checkConfirmationMethod does.
 */
export function checkJktConfirmation(claims: AccessTokenClaims, proofJkt: string): void {
  const jkt = claims.cnf?.[MEMBER_OF.dpop];
  if (typeof jkt !== 'string' || jkt.length === 0) {
    throw new BindingError(FailureType.UnboundToken, 'cnf.jkt is missing or not a non-empty string');
  }
  if (!digestEquals(jkt, proofJkt)) {
    throw new BindingError(FailureType.ConfirmationMismatch, 'cnf.jkt does not match the DPoP proof key');
  }
}

/**
 * H10: RFC 8705 §3.1 the token's `cnf["x5t#S256"]` equals base64url(SHA-256(DER of the sender's
 * certificate)), compared in constant time. At a hop the certificate is `x5c[0]` of the hop
 * proof, already validated to the estate CA. Does not validate the certificate: the path check does.
 */
export function checkCertificateThumbprint(claims: AccessTokenClaims, certificateThumbprint: string): void {
  const x5t = claims.cnf?.[MEMBER_OF.mtls];
  if (typeof x5t !== 'string' || x5t.length === 0) {
    throw new BindingError(FailureType.UnboundToken, 'cnf["x5t#S256"] is missing or not a non-empty string');
  }
  if (!digestEquals(x5t, certificateThumbprint)) {
    throw new BindingError(FailureType.ConfirmationMismatch, 'cnf["x5t#S256"] does not match the sender certificate');
  }
}
