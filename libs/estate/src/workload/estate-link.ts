import type { NatsConnection } from '@nats-io/transport-node';
import { MemoryRevocationList } from '#binding/core';
import {
  createNatsKeySet, startRevocationFeed, type CertificatePathValidator, type HopProofSigner, type NatsKeySet, type RevocationFeed,
  type RevocationFeedProblem, type RevocationObserver,
} from '#binding/hop';
import type { EstateConfig } from '../config/estate-config.js';
import { EstateStreams, EstateSubjects } from '../identity/estate-subjects.js';
import { natsConnectionOptions, natsTlsOptions } from '../nats/nats-connection-options.js';
import { RotatingConnection } from '../nats/rotating-connection.js';
import { Readiness } from '../ops/readiness.js';
import { workloadTelemetry } from '../telemetry/workload-telemetry.js';
import { WorkloadIdentity, type TlsRotatable, type WorkloadIdentityOptions } from './workload-identity.js';

/**
 * What every workload on the fabric needs besides its Nest transport, built once at start-up from
 * its configuration and following its certificate as it is renewed (SECURITY.md L1-L4, L6): a
 * plain NATS connection (for the revocation feed, the STS keys and KV state) that moves to each
 * renewed certificate make-before-break, the trust bundle as the anchors of hop-proof
 * certificates (H3, reloaded when it changes), a signer for its own hop proofs (the current key
 * and `x5c`), the revocation list fed from `estate.revocations` (H12), the STS's keys over
 * `sts.jwks` (H8), and its readiness. Wiring only: every check is libs/binding's.
 */
export interface EstateLink {
  readonly config: EstateConfig;
  /** Always the current connection: keep this reference, it survives renewals. */
  readonly connection: NatsConnection;
  readonly certificates: CertificatePathValidator;
  readonly signer: HopProofSigner;
  readonly revocations: MemoryRevocationList;
  readonly stsKeys: NatsKeySet;
  /** The certificate files as renewed; `identity.current` is the one in use. */
  readonly identity: WorkloadIdentity;
  /** L6: the certificate's margin of validity and the broker connection, for /readyz; apps add their own checks. */
  readonly readiness: Readiness;
  /** Moves `transport` (a RotatingServerNats or RotatingClientNats) to every renewed certificate. */
  follow(transport: TlsRotatable): void;
  close(): Promise<void>;
}

export interface EstateLinkOptions {
  /** Where feed problems go (a malformed or unstorable revocation); never token material. */
  readonly onRevocationProblem?: (problem: RevocationFeedProblem) => void;
  readonly stsJwksCooldownMs?: number;
  /** How the certificate files are watched (debounce, poll); tests shorten them. */
  readonly identity?: WorkloadIdentityOptions;
}

/**
 * Connects and resolves once the revocations in force are known: a service must not serve before
 * (fail closed). Rejects when the broker refuses the certificate, or the revocation stream is missing.
 * The feed, the STS key set, the KV buckets and replay stores opened on `connection` follow it
 * through renewals: RotatingConnection moves their subscriptions and sends their requests to the
 * current connection.
 */
export async function openEstateLink(config: EstateConfig, options: EstateLinkOptions = {}): Promise<EstateLink> {
  const identity = WorkloadIdentity.start(config, options.identity);
  let rotating: RotatingConnection | undefined;
  let feed: RevocationFeed | undefined;
  try {
    const openedWith = identity.current;
    rotating = await RotatingConnection.open({ ...natsConnectionOptions(config), tls: natsTlsOptions(openedWith) }, config.requestTimeoutMs);
    const connection = rotating.connection;
    identity.follow(rotating, openedWith);
    const revocations = new MemoryRevocationList();
    feed = await startEstateRevocationFeed(connection, revocations, options.onRevocationProblem, workloadTelemetry(config.identity).revocations);
    const opened = { feed, rotating };
    return Object.freeze({
      config,
      connection,
      certificates: identity.certificates,
      signer: identity.signer,
      revocations,
      stsKeys: createNatsKeySet({
        connection,
        subject: EstateSubjects.stsJwks,
        timeoutMs: Math.min(config.requestTimeoutMs, 60_000),
        ...(options.stsJwksCooldownMs === undefined ? {} : { cooldownMs: options.stsJwksCooldownMs }),
      }),
      identity,
      readiness: new Readiness()
        .add('certificate', identity.readiness)
        .add('nats', () => (opened.rotating.connected ? undefined : 'not connected to the NATS broker (reconnecting)')),
      follow: (transport: TlsRotatable) => void identity.follow(transport),
      async close() {
        identity.close();
        await opened.feed.close();
        await opened.rotating.close();
      },
    });
  } catch (error) {
    identity.close();
    await feed?.close();
    await rotating?.close();
    throw error;
  }
}

/**
 * H12: feeds `list` from the estate's announcements (`estate.revocations`, the REVOCATIONS stream
 * replayed first). Resolves once the revocations in force are applied; see startRevocationFeed.
 * `observer` (O1): the workload's lag from publish to applied (workloadTelemetry().revocations).
 */
export function startEstateRevocationFeed(
  connection: NatsConnection,
  list: MemoryRevocationList,
  onProblem?: (problem: RevocationFeedProblem) => void,
  observer?: RevocationObserver,
): Promise<RevocationFeed> {
  return startRevocationFeed({
    connection,
    list,
    subject: EstateSubjects.revocations,
    stream: EstateStreams.revocations,
    ...(onProblem === undefined ? {} : { onProblem }),
    ...(observer === undefined ? {} : { observer }),
  });
}
