import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { integerRangeProblem } from '#binding/core';
import { parseRevocationEvent, type RevocationEvent } from '#binding';
import { EstateStreams, EstateSubjects } from '#estate';
import { MAX_REVOCATION_TTL_S } from './provision-jetstream.js';

/** How long a revocation lasts when the operator names no `--ttl`. */
export const DEFAULT_REVOCATION_TTL_S = 3_600; // seconds
const PUBLISH_TIMEOUT_MS = 5_000; // milliseconds

export interface AnnouncedRevocation {
  readonly event: RevocationEvent;
  /** The stream sequence that keeps it: proof that late starters will replay it. */
  readonly sequence: number;
}

/**
 * Announces one revocation (H12) as the operator: a JetStream publish on `estate.revocations`,
 * which every service hears at once (core subscription) and the REVOCATIONS stream keeps (the
 * broker's acknowledgement names the stream, so a revocation is never reported done unless a
 * service starting later will learn it). The event is validated first (parseRevocationEvent);
 * `ttlSeconds` must be from 1 to MAX_REVOCATION_TTL_S. Rejects when the stream is not provisioned
 * (no acknowledgement comes) or another stream acknowledged it.
 */
export async function announceRevocation(
  admin: NatsConnection,
  revocation: { readonly kind: RevocationEvent['kind']; readonly value: string; readonly ttlSeconds?: number },
  now: number = Math.floor(Date.now() / 1000),
): Promise<AnnouncedRevocation> {
  const ttl = revocation.ttlSeconds ?? DEFAULT_REVOCATION_TTL_S;
  const problem = integerRangeProblem(ttl, 1, MAX_REVOCATION_TTL_S);
  if (problem !== undefined) throw new TypeError(`ttlSeconds ${problem}`);
  const event = parseRevocationEvent({ kind: revocation.kind, value: revocation.value, until: now + ttl });
  // `published_at` (epoch ms) beside the event: not part of what it revokes (parseRevocationEvent
  // ignores it), it lets every service measure the lag from publish to applied (O1).
  const ack = await jetstream(admin).publish(EstateSubjects.revocations, JSON.stringify({ ...event, published_at: Date.now() }), { timeout: PUBLISH_TIMEOUT_MS });
  if (ack.stream !== EstateStreams.revocations) throw new Error(`revocation was stored by stream ${ack.stream}, not ${EstateStreams.revocations}`);
  return Object.freeze({ event, sequence: ack.seq });
}
