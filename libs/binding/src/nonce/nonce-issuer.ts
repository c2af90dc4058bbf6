import { createHmac, timingSafeEqual } from 'node:crypto';
import { BindingConfigError, BindingError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import { integerOption } from '../options/integer-range.js';
import { systemClock, type Clock } from '../time/clock.js';

/**
 * `off`: no nonces (proof lifetime bounded by `iat` alone). `required`: every proof must carry a
 * current nonce. There is no `on-demand` mode: "nonce required only once issued to this client"
 * needs to remember, across replicas, which clients were given one (RFC 9449 §11.3 "A server MUST
 * NOT accept any DPoP proofs without the nonce claim when a DPoP nonce has been provided to the
 * client"); a stateless issuer cannot, and a per-replica memory would break that MUST on the next
 * replica. `required` meets §11.3 by construction; the first request costs one extra round trip.
 */
export type NonceMode = 'off' | 'required';

export const DEFAULT_NONCE_MODE: NonceMode = 'off';
/** A nonce is accepted in the step it was issued and the next: it lives one to two steps. */
export const DEFAULT_NONCE_STEP_S = 60; // seconds
export const MIN_NONCE_STEP_S = 10; // seconds
export const MAX_NONCE_STEP_S = 3600; // seconds
/** RFC 2104 §3: keys shorter than the hash output (32 bytes for SHA-256) are "strongly discouraged". */
export const MIN_NONCE_SECRET_BYTES = 32; // bytes

export interface NonceOptions {
  readonly mode?: NonceMode;
  /** Shared by every replica: 32 or more random bytes, or their base64url text. Required for `required`. */
  readonly secret?: Uint8Array | string;
  readonly stepSeconds?: number;
  readonly clock?: Clock;
}

const STEP_BYTES = 4; // uint32 big-endian step number
const MAC_BYTES = 32; // HMAC-SHA-256
const NONCE_LENGTH = ((STEP_BYTES + MAC_BYTES) / 3) * 4; // 48 base64url characters, no padding
const BASE64URL = /^[A-Za-z0-9_-]+$/;
/** Domain separation: the secret's MACs mean nothing outside DPoP nonces of this format. */
const MAC_LABEL = Buffer.from('hybrid-estate/dpop-nonce/v1\0', 'ascii');

/**
 * E15: stateless server nonces (RFC 9449 §9, §8). A nonce is `base64url(step || MAC)` with
 * `step = floor(now / stepSeconds)` and `MAC = HMAC-SHA-256(secret, label || step || jkt)`: any
 * replica holding the secret recognizes it with no shared state; it is unpredictable (§8 "Nonce
 * values MUST be unpredictable") without the secret; it is bound to the client's key thumbprint,
 * so one client's nonce is no use to another key; it is accepted in its own step and the next and
 * compared in constant time. Failures are `use_dpop_nonce` carrying a fresh nonce in the error's
 * `nonce` (§8 "This same error code is used when supplying a new nonce value when there was a
 * nonce mismatch"); the HTTP layer sends it as the single `DPoP-Nonce` header (E23).
 * Does not check `iat` or `jti`: checkProofTime and claimOnce do.
 */
export class NonceIssuer {
  readonly mode: NonceMode;
  private readonly secret: Buffer | undefined;
  private readonly stepSeconds: number;
  private readonly clock: Clock;

  constructor(options: NonceOptions = {}) {
    this.mode = resolveMode(options.mode ?? DEFAULT_NONCE_MODE);
    this.stepSeconds = resolveStep(options.stepSeconds ?? DEFAULT_NONCE_STEP_S);
    if (options.clock !== undefined && typeof options.clock !== 'function') {
      throw new BindingConfigError('DPoP nonce: clock must be a function returning epoch seconds');
    }
    this.clock = options.clock ?? systemClock;
    this.secret = this.mode === 'off' && options.secret === undefined ? undefined : resolveSecret(options.secret);
    Object.freeze(this);
  }

  /** A nonce for `jkt`, valid for the rest of this step and the whole next one. */
  issue(jkt: string): string {
    const step = Buffer.alloc(STEP_BYTES);
    step.writeUInt32BE(this.currentStep());
    return Buffer.concat([step, this.mac(step, jkt)]).toString('base64url');
  }

  /**
   * RFC 9449 §4.3 (10) "if the server provided a nonce value to the client, the nonce claim
   * matches the server-provided nonce value". In `required` mode a proof without one is
   * `NonceRequired`, one that is malformed, from an older step, for another key or forged is
   * `NonceInvalid`. In `off` mode nothing is checked and a `nonce` claim is ignored.
   */
  check(proofNonce: string | undefined, jkt: string): void {
    if (this.mode === 'off') return;
    if (proofNonce === undefined) {
      throw new BindingError(FailureType.NonceRequired, 'resource server requires nonce in DPoP proof', { nonce: this.issue(jkt) });
    }
    if (!this.isValid(proofNonce, jkt)) {
      throw new BindingError(FailureType.NonceInvalid, 'DPoP proof nonce is invalid or expired', { nonce: this.issue(jkt) });
    }
  }

  /**
   * §8.2 "including a DPoP-Nonce HTTP header in the HTTP 200 (OK) response from the previous
   * request": true when an accepted nonce is from the previous step, i.e. expires at the end of
   * this one, so the success response should carry `issue(jkt)`. A client that calls at least
   * once per step therefore never sees `use_dpop_nonce` again.
   */
  shouldRotate(proofNonce: string | undefined): boolean {
    if (this.mode === 'off' || proofNonce === undefined) return false;
    const step = stepOf(proofNonce);
    return step !== undefined && step < this.currentStep();
  }

  private isValid(nonce: string, jkt: string): boolean {
    const step = stepOf(nonce);
    const current = this.currentStep();
    if (step === undefined || (step !== current && step !== current - 1)) return false;
    const presented = Buffer.from(nonce, 'base64url');
    const expected = this.mac(presented.subarray(0, STEP_BYTES), jkt);
    return timingSafeEqual(presented.subarray(STEP_BYTES), expected);
  }

  private mac(step: Uint8Array, jkt: string): Buffer {
    if (this.secret === undefined) throw new BindingConfigError('DPoP nonce: nonces are off; there is no secret to issue with');
    return createHmac('sha256', this.secret).update(MAC_LABEL).update(step).update(jkt, 'utf8').digest();
  }

  private currentStep(): number {
    return Math.floor(this.clock() / this.stepSeconds);
  }
}

/** The step a well-formed nonce names, or `undefined`; says nothing about its MAC. */
function stepOf(nonce: string): number | undefined {
  if (nonce.length !== NONCE_LENGTH || !BASE64URL.test(nonce)) return undefined;
  return Buffer.from(nonce, 'base64url').readUInt32BE(0);
}

function resolveMode(value: unknown): NonceMode {
  if (value !== 'off' && value !== 'required') throw new BindingConfigError("DPoP nonce: mode must be 'off' or 'required'");
  return value;
}

function resolveStep(value: unknown): number {
  return integerOption(value, 'DPoP nonce: stepSeconds', MIN_NONCE_STEP_S, MAX_NONCE_STEP_S);
}

function resolveSecret(value: unknown): Buffer {
  let bytes: Buffer | undefined;
  if (value instanceof Uint8Array) bytes = Buffer.from(value);
  else if (typeof value === 'string' && BASE64URL.test(value)) bytes = Buffer.from(value, 'base64url');
  if (bytes === undefined || bytes.length < MIN_NONCE_SECRET_BYTES) {
    throw new BindingConfigError(`DPoP nonce: secret must be at least ${MIN_NONCE_SECRET_BYTES} bytes, as bytes or base64url text`);
  }
  return bytes;
}
