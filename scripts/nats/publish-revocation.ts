import { createHash } from 'node:crypto';
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { integerRangeProblem } from '#binding/core';
import { parseRevocationEvent, type RevocationEvent } from '#binding';
import { AuditLog, EstateStreams, EstateSubjects, stdoutAuditSink } from '#estate';
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

/** The operator's audit trail (O3): `revoke` lines on stdout, none with AUDIT_LOG=off. */
export function operatorAuditLog(env: Readonly<Record<string, string | undefined>> = process.env): AuditLog {
  return new AuditLog('revoke', env['AUDIT_LOG']?.trim().toLowerCase() === 'off' ? null : stdoutAuditSink);
}

/**
 * What every operator revocation goes through (`npm run revoke`, the demo's live renewal): the
 * announcement (announceRevocation), then its audit line `revocation_published` (SECURITY.md O3)
 * naming `caller` (the admin's SPIFFE ID); a `jti` or `sub` only hashed, a certificate by its
 * thumbprint. No line for a revocation that was not acknowledged. `trail.reported`, if given, runs
 * between the two (`npm run revoke` prints its report line there, above the audit line).
 */
export async function publishRevocation(
  admin: NatsConnection,
  revocation: { readonly kind: RevocationEvent['kind']; readonly value: string; readonly ttlSeconds?: number },
  trail: { readonly audit: AuditLog; readonly caller: string; readonly reported?: (announced: AnnouncedRevocation) => void },
  now?: number,
): Promise<AnnouncedRevocation> {
  const announced = await announceRevocation(admin, revocation, now);
  trail.reported?.(announced);
  const { event } = announced;
  trail.audit.record('revocation_published', {
    caller: trail.caller,
    revocation_kind: event.kind,
    ...(event.kind === 'cert' ? { thumbprint: event.value } : { revocation_value_hash: createHash('sha256').update(event.value).digest('base64url') }),
    until: event.until,
  });
  return announced;
}
