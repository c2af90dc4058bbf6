import type { NatsConnection } from '@nats-io/transport-node';
import { parseRevocationEvent, startRevocationFeed, type RevocationFeed, type RevocationFeedProblem } from '#binding';
import { EstateStreams, EstateSubjects } from '#estate';

/** What the follower needs of the renewer (certs/certificate-renewer.ts): drop a leaf's pin. */
export interface PinRevoker {
  /** `x5tS256` as announced; resolves true when it pinned that leaf, false when it never issued it. */
  revoke(x5tS256: string): Promise<boolean>;
}

export interface BrokerRevocationOptions {
  /** A connection as the operator (admin), who may hear `estate.revocations` and read its stream. */
  readonly connection: NatsConnection;
  readonly renewer: PinRevoker;
  /** A revoked leaf this renewer had pinned (thumbprint only), or a revoke that failed. */
  readonly onRevoked?: (outcome: { readonly thumbprint: string; readonly pinned: boolean } | { readonly thumbprint: string; readonly error: unknown }) => void;
  readonly onProblem?: (problem: RevocationFeedProblem) => void;
}

/**
 * SECURITY.md L5 at the broker: a certificate revoked on `estate.revocations` is refused by
 * nats-server too, not only per message (H12). Every `cert` announcement in force, heard live or
 * replayed from the REVOCATIONS stream, is handed to the renewer, which drops that leaf's pin from
 * `nats-pins.conf`; its change callback reloads nats-server, which then closes every connection
 * made with that certificate and refuses it at the next handshake.
 * Resolves once the revocations in force are applied (startRevocationFeed). `jti` and `sub`
 * revocations are the workloads' business (H12) and are ignored here; so are malformed events,
 * which the feed reports to `onProblem`.
 * Does not revoke anything itself: only the announcements it hears.
 */
export function followBrokerRevocations(options: BrokerRevocationOptions): Promise<RevocationFeed> {
  const list = {
    apply(input: unknown) {
      const event = parseRevocationEvent(input);
      if (event.until * 1000 <= Date.now()) return 'expired' as const;
      if (event.kind === 'cert') {
        const thumbprint = event.value;
        options.renewer.revoke(thumbprint).then(
          (pinned) => options.onRevoked?.({ thumbprint, pinned }),
          (error: unknown) => options.onRevoked?.({ thumbprint, error }),
        );
      }
      return 'applied' as const;
    },
  };
  return startRevocationFeed({
    connection: options.connection,
    list,
    subject: EstateSubjects.revocations,
    stream: EstateStreams.revocations,
    ...(options.onProblem === undefined ? {} : { onProblem: options.onProblem }),
  });
}
