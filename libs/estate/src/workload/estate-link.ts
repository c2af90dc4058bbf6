import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  createCertificatePathValidator,
  createHopProofSigner,
  createNatsKeySet,
  MemoryRevocationList,
  startRevocationFeed,
  type CertificatePathValidator,
  type HopProofSigner,
  type NatsKeySet,
  type RevocationFeed,
  type RevocationFeedProblem,
} from '#binding';
import type { EstateConfig } from '../config/estate-config.js';
import { TRUST_DOMAIN } from '../identity/estate-identity.js';
import { EstateStreams, EstateSubjects } from '../identity/estate-subjects.js';
import { natsConnectionOptions } from '../nats/nats-connection-options.js';

/**
 * What every workload on the fabric needs besides its Nest transport, built once at start-up from
 * its configuration: a plain NATS connection (for the revocation feed, the STS keys and KV state),
 * the estate CA as the anchor of hop-proof certificates (H3), a signer for its own hop proofs, the
 * revocation list fed from `estate.revocations` (H12) and the STS's keys over `sts.jwks` (H8).
 * Wiring only: every check is libs/binding's.
 */
export interface EstateLink {
  readonly config: EstateConfig;
  readonly connection: NatsConnection;
  readonly certificates: CertificatePathValidator;
  readonly signer: HopProofSigner;
  readonly revocations: MemoryRevocationList;
  readonly stsKeys: NatsKeySet;
  close(): Promise<void>;
}

export interface EstateLinkOptions {
  /** Where feed problems go (a malformed or unstorable revocation); never token material. */
  readonly onRevocationProblem?: (problem: RevocationFeedProblem) => void;
  readonly stsJwksCooldownMs?: number;
}

/**
 * Connects and resolves once the revocations in force are known: a service must not serve before
 * (fail closed). Rejects when the broker refuses the certificate, or the revocation stream is missing.
 */
export async function openEstateLink(config: EstateConfig, options: EstateLinkOptions = {}): Promise<EstateLink> {
  const connection = await connect(natsConnectionOptions(config));
  let feed: RevocationFeed | undefined;
  try {
    const revocations = new MemoryRevocationList();
    feed = await startEstateRevocationFeed(connection, revocations, options.onRevocationProblem);
    const opened = feed;
    return Object.freeze({
      config,
      connection,
      certificates: createCertificatePathValidator({ trustAnchorsPem: config.tls.ca, trustDomain: TRUST_DOMAIN }),
      signer: createHopProofSigner({ privateKey: config.tls.key, certificateChainPem: config.tls.cert }),
      revocations,
      stsKeys: createNatsKeySet({
        connection,
        subject: EstateSubjects.stsJwks,
        timeoutMs: Math.min(config.requestTimeoutMs, 60_000),
        ...(options.stsJwksCooldownMs === undefined ? {} : { cooldownMs: options.stsJwksCooldownMs }),
      }),
      async close() {
        await opened.close();
        if (!connection.isClosed()) await connection.close();
      },
    });
  } catch (error) {
    await feed?.close();
    await connection.close();
    throw error;
  }
}

/**
 * H12: feeds `list` from the estate's announcements (`estate.revocations`, the REVOCATIONS stream
 * replayed first). Resolves once the revocations in force are applied; see startRevocationFeed.
 */
export function startEstateRevocationFeed(
  connection: NatsConnection,
  list: MemoryRevocationList,
  onProblem?: (problem: RevocationFeedProblem) => void,
): Promise<RevocationFeed> {
  return startRevocationFeed({
    connection,
    list,
    subject: EstateSubjects.revocations,
    stream: EstateStreams.revocations,
    ...(onProblem === undefined ? {} : { onProblem }),
  });
}
