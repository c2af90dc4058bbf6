import { BindingConfigError } from '../errors/binding-error.js';
import { pinnedSigner } from '../hop/rotating-hop-proof-signer.js';
import type { OutboundObserver } from '../observe/binding-observer.js';
import type { HopProofSigner } from '../hop/sign-hop-proof.js';
import { HOP_PROOF_HEADER, HOP_TOKEN_HEADER } from '../hop/hop-header-names.js';
import { SubjectToken } from '../token/subject-token.js';
import { integerOption } from '../options/integer-range.js';
import { spiffeIdOption } from '../mtls/spiffe-id.js';
import { systemClock, type Clock } from '../time/clock.js';
import { parseScope } from '../token/scope-token.js';
import { DEFAULT_EXCHANGE_CACHE_MAX_ENTRIES, DEFAULT_REFRESH_BEFORE_EXPIRY_S, ExchangedTokenCache } from './exchanged-token-cache.js';
import type { HopTransport } from './hop-transport.js';
import { OutboundRefusedError } from './outbound-errors.js';
import { observeRequest } from './observe-request.js';
import { createTokenExchanger, type ExchangeInput } from './token-exchanger.js';

/** ARCHITECTURE "NATS": the subject the STS serves token exchange on. */
export const DEFAULT_EXCHANGE_SUBJECT = 'sts.exchange';
/** A call waits this long for the callee, which may itself exchange and call onward. */
export const DEFAULT_OUTBOUND_TIMEOUT_MS = 5_000; // milliseconds
/** The exchange waits this long for the STS. */
export const DEFAULT_EXCHANGE_TIMEOUT_MS = 2_000; // milliseconds

const SUBJECT = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

export interface OutboundClientOptions {
  /**
   * Sends the requests and sorts their failures (HopTransport): for Nest's ClientNats (or a
   * subclass, libs/estate estateClientNats), `clientProxyTransport(client)` from
   * `@hybrid-estate/binding/nest/rpc`.
   */
  readonly transport: HopTransport;
  /**
   * Signs with this workload's certificate key: the STS binds the tokens it issues to that
   * certificate. A RotatingHopProofSigner follows renewals; each call pins its current signer.
   */
  readonly signer: HopProofSigner;
  /** The STS's SPIFFE ID. */
  readonly stsAudience: string;
  readonly exchangeSubject?: string;
  readonly timeoutMs?: number;
  readonly exchangeTimeoutMs?: number;
  readonly cacheMaxEntries?: number;
  readonly refreshBeforeExpirySeconds?: number;
  readonly clock?: Clock;
  /**
   * O1, O2: told of each request (and gives the W3C trace context to send with it, which the hop
   * proof covers in `oth`) and of each exchanged-token cache lookup. Absent: nothing is observed.
   */
  readonly observer?: OutboundObserver;
}

/** One call to another workload on behalf of the end user whose token this workload holds. */
export interface OutboundCall {
  /** The callee's SPIFFE ID: the `aud` of the exchanged token and of the hop proof. */
  readonly audience: string;
  /** The NATS subject, e.g. `orders.create`: the proof's `sub`. */
  readonly subject: string;
  /** JSON data, sent as is; the proof's `pdh` covers its canonical form. */
  readonly payload: unknown;
  /** The verified token this workload holds: `principal.subjectToken`. */
  readonly subjectToken: SubjectToken;
  /** What the callee needs, space-separated; the STS narrows to it (least privilege per call). */
  readonly scope: string;
  readonly timeoutMs?: number;
}

export interface OutboundClient {
  /**
   * Exchanges (or reuses) a token for the callee, signs the hop proof, sends, and resolves the
   * callee's reply. Rejects with OutboundUnavailableError (timeout, broker or callee down: retry
   * later) or OutboundRefusedError (`{ code, type, status }` of the STS or the callee).
   */
  call<T>(call: OutboundCall): Promise<T>;
}

/**
 * The outbound side of an internal hop (ARCHITECTURE "Exchange" and "Call"), built once at start-up:
 * 1. the call is checked (SPIFFE ID, literal subject, scope-tokens; a mistake is BindingConfigError);
 * 2. the internal token: exchanged at the STS, or reused from the bounded cache until shortly
 *    before it expires (createTokenExchanger);
 * 3. the Hop-Proof: signed with this workload's certificate key over the callee, the subject, the
 *    token (`ath`), the payload (`pdh`) and the trace context the observer gives, if any (`oth`);
 * 4. the request with exactly one Hop-Token and one Hop-Proof header (and the trace context),
 *    through the transport, bounded by the call's timeout;
 * 5. a refusal `invalid_token` from the callee drops the cached token (revoked, or the callee no
 *    longer accepts it), so the next call exchanges afresh; the refusal is still returned.
 * Does not retry, and does not verify anything it receives: the callee's guard checks the hop.
 */
export function createOutboundClient(options: OutboundClientOptions): OutboundClient {
  if (typeof options?.transport?.request !== 'function') throw new BindingConfigError('outbound client: transport must be a HopTransport');
  if (typeof options.signer?.sign !== 'function') throw new BindingConfigError('outbound client: signer must be a hop proof signer');
  spiffeIdOption(options.stsAudience, 'outbound client: stsAudience must be the STS SPIFFE ID');
  const exchangeSubject = literalSubject(options.exchangeSubject ?? DEFAULT_EXCHANGE_SUBJECT);
  const timeoutMs = milliseconds(options.timeoutMs ?? DEFAULT_OUTBOUND_TIMEOUT_MS, 'timeoutMs');
  const clock = options.clock ?? systemClock;
  const transport = options.transport;
  const exchanger = createTokenExchanger({
    transport,
    signer: options.signer,
    stsAudience: options.stsAudience,
    exchangeSubject,
    timeoutMs: milliseconds(options.exchangeTimeoutMs ?? DEFAULT_EXCHANGE_TIMEOUT_MS, 'exchangeTimeoutMs'),
    cache: new ExchangedTokenCache({
      maxEntries: options.cacheMaxEntries ?? DEFAULT_EXCHANGE_CACHE_MAX_ENTRIES,
      refreshBeforeExpirySeconds: options.refreshBeforeExpirySeconds ?? DEFAULT_REFRESH_BEFORE_EXPIRY_S,
      clock,
    }),
    clock,
    ...(options.observer === undefined ? {} : { observer: options.observer }),
  });
  const observer = options.observer;

  async function call<T>(request: OutboundCall): Promise<T> {
    // 1. The call itself: a mistake in the caller's code, not in a request.
    const input = checkCall(request);
    // 2. The internal token for this callee and scope, bound to the certificate in use now; the
    //    same certificate signs the call even if a renewal lands meanwhile (L2).
    const signer = pinnedSigner(options.signer);
    const token = await exchanger.exchange(input, signer);
    // 3. The proof of possession of this workload's certificate key, over this very message and
    //    its trace context.
    return observeRequest(observer, { stage: 'call', subject: request.subject, audience: request.audience, onBehalfOf: request.subjectToken }, async (otherTokens) => {
      const proof = await signer.sign({ audience: request.audience, subject: request.subject, token: token.accessToken, payload: request.payload, otherTokens });
      // 4. Exactly one of each header, bounded in time.
      const headers = { ...otherTokens, [HOP_TOKEN_HEADER]: token.accessToken, [HOP_PROOF_HEADER]: proof };
      try {
        return (await transport.request({ stage: 'call', subject: request.subject, payload: request.payload, headers, timeoutMs: request.timeoutMs ?? timeoutMs })) as T;
      } catch (error) {
        // 5. A token the callee refuses is not reused.
        if (error instanceof OutboundRefusedError && error.code === 'invalid_token') exchanger.forget(input, signer);
        throw error;
      }
    });
  }

  return Object.freeze({ call });
}

/** Calls already checked, by audience, subject and scope: a workload makes a few kinds of call, over and over. */
const CHECKED_CALLS_MAX_ENTRIES = 1_024; // entries; beyond it, calls are checked each time
const checkedCalls = new Map<string, string>();

function checkCall(call: OutboundCall): ExchangeInput {
  if (!(call.subjectToken instanceof SubjectToken)) throw new BindingConfigError('outbound call: subjectToken must be the principal\'s SubjectToken');
  if (call.timeoutMs !== undefined) milliseconds(call.timeoutMs, 'call timeoutMs');
  return { subjectToken: call.subjectToken, audience: call.audience, scope: checkedScope(call) };
}

/**
 * The call's own shape (a SPIFFE ID audience, a literal subject, one or more scope-tokens; a
 * mistake is BindingConfigError) is fixed by the caller's code, not by a request: each distinct
 * combination is checked once and its normalised scope (sorted, each once: the exchange cache's
 * key) remembered, so a call repeated per request does not re-run the grammars.
 */
function checkedScope(call: OutboundCall): string {
  const { audience, subject, scope } = call;
  const key = typeof audience === 'string' && typeof subject === 'string' && typeof scope === 'string' ? `${audience}\n${subject}\n${scope}` : undefined;
  const known = key === undefined ? undefined : checkedCalls.get(key);
  if (known !== undefined) return known;
  spiffeIdOption(audience, 'outbound call: audience must be a SPIFFE ID');
  literalSubject(subject);
  const scopes = typeof scope === 'string' ? parseScope(scope) : undefined;
  if (scopes === undefined || scopes.length === 0) {
    throw new BindingConfigError('outbound call: scope must hold one or more RFC 6749 scope-tokens');
  }
  const normalised = [...scopes].sort().join(' ');
  if (key !== undefined && checkedCalls.size < CHECKED_CALLS_MAX_ENTRIES) checkedCalls.set(key, normalised);
  return normalised;
}

function literalSubject(subject: unknown): string {
  if (typeof subject !== 'string' || !SUBJECT.test(subject)) throw new BindingConfigError('outbound client: a subject must be a literal NATS subject');
  return subject;
}

function milliseconds(value: unknown, name: string): number {
  return integerOption(value, `outbound client: ${name} (milliseconds)`, 1, 120_000);
}
