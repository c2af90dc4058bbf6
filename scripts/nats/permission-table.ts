import {
  ADMIN_IDENTITY, EstateStreams, EstateSubjects, inboxPrefixOf, kvBucketOf, queueGroupOf, stateBucketOf, WORKLOADS, type EstateIdentity, type Workload,
} from '#estate';

/**
 * Who may do what on the estate's NATS fabric: the single source the broker's `authorization`
 * block is rendered from (render-nats-config.ts). Least privilege (ARCHITECTURE.md "NATS"):
 * publish only to the subjects an identity calls; subscribe to its own subjects only in its
 * queue group, to its own inbox prefix, and to revocations; `allow_responses` lets a responder
 * answer the requests it received and nothing else.
 *
 * Deliberately narrow, each a one-line change here if a later issue needs more:
 * - inventory calls nothing, so it may not request `sts.exchange`; it only fetches `sts.jwks`.
 * - nobody publishes to an inbox: replies go out through `allow_responses`.
 * - admin serves nothing, so it gets no `allow_responses`.
 * - revocations (H12): admin announces them on `estate.revocations`, which the REVOCATIONS stream
 *   captures; the serving workloads (sts, orders, inventory) hear them live and read the stream's
 *   history (INFO and MSG.GET only: no consumer, no write). Only admin creates or changes streams
 *   and buckets. Admin also hears them (L5): the certificate renewer, which runs as the operator,
 *   removes a revoked leaf's pin so the broker closes its connections (broker-revocations.ts).
 * - durable state: orders and inventory each get a second bucket, `<workload>-state`, apart from
 *   their own bucket (whose `max_age` may bound replay claims).
 */
export interface IdentityPermissions {
  readonly identity: EstateIdentity;
  /** Subjects it may publish to (wildcards allowed). */
  readonly publish: readonly string[];
  /** Subjects it may subscribe to; `"<subject> <queue>"` allows that subject only in that queue group. */
  readonly subscribe: readonly string[];
  readonly allowResponses: boolean;
  /** KV buckets it reads and writes (see jetstream-subjects.ts for the API subjects granted). */
  readonly kvBuckets: readonly string[];
  /** KV buckets it may create and reconfigure: the operator provisions buckets, workloads do not. */
  readonly provisionsKvBuckets: readonly string[];
  /** Plain streams it may read (state and messages by sequence; see jetstream-subjects.ts). */
  readonly readsStreams?: readonly string[];
  /** Plain streams it may create and reconfigure. */
  readonly provisionsStreams?: readonly string[];
}

/** `"orders.> orders"`: the subject may be served only in the workload's own queue group. */
function served(workload: Workload, subject: string): string {
  return `${subject} ${queueGroupOf(workload)}`;
}

function ownInbox(identity: EstateIdentity): string {
  return `${inboxPrefixOf(identity)}.>`;
}

/** Workloads that keep durable state (orders, stock) in a bucket of their own. */
const STATEFUL: readonly Workload[] = Object.freeze(['orders', 'inventory']);

function workload(identity: Workload, rights: { readonly publish: readonly string[]; readonly serves: readonly string[] }): IdentityPermissions {
  return Object.freeze({
    identity,
    publish: Object.freeze([...rights.publish]),
    subscribe: Object.freeze([...rights.serves.map((subject) => served(identity, subject)), ownInbox(identity), EstateSubjects.revocations]),
    // Also answers JetStream flow-control requests, should a KV watcher ever need them.
    allowResponses: true,
    kvBuckets: Object.freeze([kvBucketOf(identity), ...(STATEFUL.includes(identity) ? [stateBucketOf(identity)] : [])]),
    provisionsKvBuckets: Object.freeze([]),
    // Every workload replays the revocations in force before it accepts requests (H12), the
    // edge too: it refuses revoked tokens at the door.
    readsStreams: Object.freeze([EstateStreams.revocations]),
    provisionsStreams: Object.freeze([]),
  });
}

export const ESTATE_PERMISSIONS: readonly IdentityPermissions[] = Object.freeze([
  // The edge serves HTTP, not NATS: it calls the STS and orders, and listens to revocations.
  workload('edge', { publish: [EstateSubjects.stsExchange, EstateSubjects.stsJwks, 'orders.*'], serves: [] }),
  // The STS only answers: token exchange and its keys.
  workload('sts', { publish: [], serves: [EstateSubjects.stsExchange, EstateSubjects.stsJwks] }),
  workload('orders', { publish: [EstateSubjects.stsExchange, EstateSubjects.stsJwks, 'inventory.*'], serves: ['orders.>'] }),
  workload('inventory', { publish: [EstateSubjects.stsJwks], serves: ['inventory.>'] }),
  Object.freeze({
    identity: ADMIN_IDENTITY,
    publish: Object.freeze([EstateSubjects.revocations]),
    subscribe: Object.freeze([ownInbox(ADMIN_IDENTITY), EstateSubjects.revocations]),
    allowResponses: false,
    kvBuckets: Object.freeze([]),
    provisionsKvBuckets: Object.freeze([...WORKLOADS.map(kvBucketOf), ...STATEFUL.map(stateBucketOf)]),
    readsStreams: Object.freeze([EstateStreams.revocations]),
    provisionsStreams: Object.freeze([EstateStreams.revocations]),
  }),
]);
