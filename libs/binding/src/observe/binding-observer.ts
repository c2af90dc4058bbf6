import type { FailureType } from '../errors/failure-type.js';
import type { RevocationKind } from '../revocation/revocation-event.js';

/**
 * The observer seam of libs/binding (SECURITY.md O1-O4): the checks and the outbound client report
 * what they decided and sent through these small interfaces, so an app can turn them into spans,
 * metrics and audit lines with whatever it uses (libs/estate: OpenTelemetry) while this library
 * imports none of it. Every member is optional data that is safe to export: failure types, SPIFFE
 * IDs, thumbprints and hashes; never a token, a proof, a key or a nonce.
 * An observer must not throw and must return quickly: it runs on the request path. The callers
 * below catch and drop what it throws, so a broken observer cannot turn a refusal into a pass.
 */

/** The W3C Trace Context headers (https://www.w3.org/TR/trace-context/ §3) of one message. */
export interface TraceContextHeaders {
  readonly traceparent?: string;
  readonly tracestate?: string;
}

/** The outcome of one check pipeline: the DPoP door at the edge or one internal hop. */
export interface BindingDecision {
  /** Where it was decided: `edge` for HTTP (DPoP), else the NATS subject handled (`orders.create`). */
  readonly hop: string;
  readonly result: 'accepted' | 'refused';
  /** The one member of the closed enum, when refused: a bounded metric label. */
  readonly failureType?: FailureType;
  /** The RFC error value sent back (`invalid_token`, `invalid_dpop_proof`, ...), when refused. */
  readonly code?: string;
  /** How long the checks took, in milliseconds. */
  readonly durationMs: number;
  /** The calling workload's SPIFFE ID (a hop whose certificate was validated). */
  readonly callerSpiffeId?: string;
  /** The key's RFC 7638 thumbprint (DPoP) or the certificate's `x5t#S256` (hop). */
  readonly thumbprint?: string;
  /** SHA-256 of the proof's `jti` (base64url), once the proof was read. */
  readonly jtiHash?: string;
  /** The end user (`sub`) of an accepted token; for traces and audit, never a metric label. */
  readonly subject?: string;
  /** RFC 8693 actors of an accepted internal token, nearest first. */
  readonly actorChain?: readonly string[];
  /** The trace context the message carried (hops only), already checked against the proof's `oth`. */
  readonly traceContext?: TraceContextHeaders;
  /**
   * The transport's request object, opaque: the HTTP adapter's request, or Nest's NatsContext. An
   * observer may key its own per-request state on it (the span it opened for the request) instead
   * of on an async-local context; it must not read credentials from it.
   */
  readonly request?: object;
  /**
   * Opaque, on acceptance: the SubjectToken object handed to the handler. The outbound client
   * reports the same object as OutboundRequestInfo.onBehalfOf for every request made with it, so an
   * observer can tie those requests to this one (a parent span) without an async-local context.
   */
  readonly onBehalfOf?: object;
}

export interface BindingObserver {
  decision(decision: BindingDecision): void;
}

/** One request the outbound client is about to send: an exchange at the STS or the call itself. */
export interface OutboundRequestInfo {
  readonly stage: 'exchange' | 'call';
  readonly subject: string;
  /** The SPIFFE ID of the receiver (the STS for an exchange). */
  readonly audience: string;
  /** Opaque: the SubjectToken the request is made with (see BindingDecision.onBehalfOf). */
  readonly onBehalfOf?: object;
}

/** How one outbound request ended, as the outbound client sorted it. */
export interface OutboundOutcome {
  readonly result: 'ok' | 'refused' | 'unavailable';
  readonly code?: string;
  readonly type?: string;
}

export interface OutboundObservation {
  /**
   * Headers to send with the request, by name: only the W3C trace context (COVERED_HEADERS) is
   * taken; the hop proof covers each one sent (`oth`), so nothing between two workloads can change,
   * add or remove them.
   */
  readonly headers?: Readonly<Record<string, string>>;
  end(outcome: OutboundOutcome): void;
}

export interface OutboundObserver {
  /** Called once before each request is signed; what it returns is ended when the reply (or failure) comes. */
  request?(request: OutboundRequestInfo): OutboundObservation | undefined;
  /** Called on each lookup of the exchanged-token cache. */
  exchangeCache?(lookup: { readonly hit: boolean; readonly audience: string }): void;
}

/** One revocation event the feed put in force (H12): what it names and how late it came. */
export interface RevocationApplied {
  readonly kind: RevocationKind;
  /** `live`: heard on the subject as published; `stream`: replayed (at start-up, after a reconnect). */
  readonly source: 'live' | 'stream';
  /**
   * When it was published, epoch milliseconds: the event's `published_at` when the publisher set
   * one, else (replayed) the time the stream stored it; absent when neither is known.
   */
  readonly publishedAtMs?: number;
  /** When the list applied it, epoch milliseconds. */
  readonly appliedAtMs: number;
}

export interface RevocationObserver {
  /** Called once per event applied (an event heard live and replayed is reported twice). */
  applied(revocation: RevocationApplied): void;
}

/** Calls an observer without ever letting it fail the request it observes. */
export function safely<T>(call: () => T): T | undefined {
  try {
    return call();
  } catch {
    return undefined;
  }
}
