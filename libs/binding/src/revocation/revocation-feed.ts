import { jetstreamManager, JetStreamApiError, type JetStreamManager } from '@nats-io/jetstream';
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { BindingConfigError } from '../errors/binding-error.js';
import { isIntegerIn } from '../options/integer-range.js';
import { safely, type RevocationObserver } from '../observe/binding-observer.js';
import type { MemoryRevocationList, RevocationApplyResult } from './memory-revocation-list.js';
import type { RevocationKind } from './revocation-event.js';

/** Each JetStream API request of the replay waits at most this long. */
export const DEFAULT_REVOCATION_REQUEST_TIMEOUT_MS = 2_000; // milliseconds
/** After a failed replay (following a reconnect), the next attempt waits this long. */
export const DEFAULT_REVOCATION_RETRY_MS = 1_000; // milliseconds
/** JetStream API error code of a stream that does not exist. */
const STREAM_NOT_FOUND = 10059;

/** Something the feed could not apply; for the app's log. Never carries the revoked value. */
export type RevocationFeedProblem =
  | { readonly kind: 'malformed_event'; readonly source: 'live' | 'stream' }
  | { readonly kind: 'saturated' }
  | { readonly kind: 'replay_failed'; readonly cause: unknown };

export interface RevocationFeedOptions {
  /** A connection whose user may subscribe to `subject` and read `stream` (INFO, MSG.GET). */
  readonly connection: NatsConnection;
  readonly list: Pick<MemoryRevocationList, 'apply'>;
  /** Where revocations are announced: `estate.revocations`. */
  readonly subject: string;
  /** The JetStream stream that captures `subject`, provisioned by the operator. */
  readonly stream: string;
  readonly requestTimeoutMs?: number;
  readonly retryMs?: number;
  readonly onProblem?: (problem: RevocationFeedProblem) => void;
  /** O1: told of each event put in force, with its publish time when known (the lag metric). */
  readonly observer?: RevocationObserver;
}

export interface RevocationFeed {
  /** Events applied so far, live and replayed (an event heard both ways counts twice). */
  readonly applied: number;
  /** Stops listening. The list keeps what it learned. */
  close(): Promise<void>;
}

/**
 * H12: feeds a revocation list from the estate's announcements, so every service applies a
 * revocation within a second and a service that starts later still learns the ones in force.
 *
 * 1. Subscribes to `subject` (core NATS): an announcement is applied the moment it arrives.
 * 2. Flushes, so the server holds the subscription before the history is read: an event
 *    published from now on arrives live; one published before is in the stream. None falls between.
 * 3. Replays the stream the operator provisioned to capture `subject`, oldest first, by sequence
 *    (`STREAM.INFO`, then `STREAM.MSG.GET` per message: read-only requests, no consumer to create).
 *    The returned promise resolves only once the history is applied: start serving after it.
 * 4. After each reconnect, replays from the next unread sequence, so events published while the
 *    connection was down are not lost; a failed replay is retried every `retryMs`.
 * Events are idempotent (MemoryRevocationList.apply only ever extends a revocation), so one heard
 * live and replayed is harmless. A malformed event or a saturated list is reported to `onProblem`.
 * Rejects with BindingConfigError when the stream does not exist (it must be provisioned by the
 * operator), and with the JetStream error otherwise: a service that cannot learn the revocations
 * in force must not start (fail closed).
 * Does not decide who may announce: the broker's permissions do (only the operator publishes).
 */
export async function startRevocationFeed(options: RevocationFeedOptions): Promise<RevocationFeed> {
  const { connection, list, subject, stream } = options;
  const retryMs = options.retryMs ?? DEFAULT_REVOCATION_RETRY_MS;
  const report = options.onProblem ?? (() => undefined);
  let applied = 0;
  let nextSequence = 1;
  let closed = false;
  let retryTimer: NodeJS.Timeout | undefined;

  const observer = options.observer;
  /** `storedAt`: when the stream stored a replayed event (epoch ms). */
  const apply = (data: unknown, source: 'live' | 'stream', storedAt?: number): void => {
    let result: RevocationApplyResult;
    try {
      result = list.apply(data);
    } catch {
      report({ kind: 'malformed_event', source });
      return;
    }
    applied += 1;
    if (result === 'saturated') report({ kind: 'saturated' });
    if (observer !== undefined && result !== 'expired') {
      const appliedAtMs = Date.now();
      const publishedAtMs = publishedAtOf(data) ?? storedAt;
      const kind = (data as { kind: RevocationKind }).kind; // apply() accepted it: one of the three
      safely(() => observer.applied(publishedAtMs === undefined ? { kind, source, appliedAtMs } : { kind, source, publishedAtMs, appliedAtMs }));
    }
  };

  // 1-2. Live announcements first, registered at the server before the history is read.
  const subscription: Subscription = connection.subscribe(subject, {
    callback: (error, message: Msg) => {
      if (error === null) apply(jsonOf(message), 'live');
    },
  });
  await connection.flush();

  // 3. The history.
  const manager = await jetstreamManager(connection, { checkAPI: false, timeout: options.requestTimeoutMs ?? DEFAULT_REVOCATION_REQUEST_TIMEOUT_MS });
  const replay = async (): Promise<void> => {
    nextSequence = await replayStream(manager, stream, nextSequence, (data, storedAt) => apply(data, 'stream', storedAt));
  };
  try {
    await replay();
  } catch (error) {
    subscription.unsubscribe();
    if (error instanceof JetStreamApiError && error.code === STREAM_NOT_FOUND) {
      throw new BindingConfigError(`revocation stream ${stream} does not exist: provision JetStream with the operator's identity`, { cause: error });
    }
    throw error;
  }

  // 4. Catch up after every reconnect.
  const retry = (): void => {
    if (closed) return;
    replay().catch((cause: unknown) => {
      report({ kind: 'replay_failed', cause });
      retryTimer = setTimeout(retry, retryMs);
      retryTimer.unref();
    });
  };
  void (async () => {
    for await (const status of connection.status()) {
      if (closed) break;
      if (status.type === 'reconnect') retry();
    }
  })();

  return {
    get applied() {
      return applied;
    },
    async close() {
      closed = true;
      if (retryTimer !== undefined) clearTimeout(retryTimer);
      if (!connection.isClosed()) subscription.unsubscribe();
    },
  };
}

/**
 * Applies every message of `stream` from `from` to its last sequence, in order, and returns the
 * next sequence to read. A sequence the stream no longer holds (aged out meanwhile) is skipped.
 */
async function replayStream(manager: JetStreamManager, stream: string, from: number, apply: (data: unknown, storedAt: number | undefined) => void): Promise<number> {
  const { state } = await manager.streams.info(stream);
  let sequence = Math.max(from, state.first_seq);
  for (; sequence <= state.last_seq; sequence += 1) {
    const message = await manager.streams.getMessage(stream, { seq: sequence });
    if (message !== null) apply(jsonOrUndefined(() => message.json<unknown>()), storedTimeOf(message.time));
  }
  return Math.max(from, state.last_seq + 1);
}

/**
 * The event's `published_at` (epoch milliseconds, set by the publisher; not part of the event's
 * meaning, which parseRevocationEvent checks), when it is a plausible time; else undefined.
 */
function publishedAtOf(data: unknown): number | undefined {
  const value = (data as { published_at?: unknown }).published_at;
  return isIntegerIn(value, 1) ? value : undefined;
}

function storedTimeOf(time: unknown): number | undefined {
  const at = time instanceof Date ? time.getTime() : Number.NaN;
  return Number.isFinite(at) ? at : undefined;
}

function jsonOf(message: Msg): unknown {
  return jsonOrUndefined(() => message.json<unknown>());
}

/** Malformed JSON becomes `undefined`, which MemoryRevocationList.apply refuses (reported). */
function jsonOrUndefined(read: () => unknown): unknown {
  try {
    return read();
  } catch {
    return undefined;
  }
}
