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
 * - a responder publishes only into the inboxes of those that may call it (answeredInboxes);
 *   callers publish to no inbox.
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

/**
 * Whether some subject matches both patterns (NATS wildcards: `*` one token, `>` one or more
 * trailing tokens): may a publisher allowed `a` reach a subscriber of `b`?
 */
export function subjectsOverlap(a: string, b: string): boolean {
  const left = a.split('.');
  const right = b.split('.');
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    if (left[i] === '>' || right[i] === '>') return true;
    if (left[i] !== '*' && right[i] !== '*' && left[i] !== right[i]) return false;
  }
  return left.length === right.length;
}

/** Workloads that keep durable state (orders, stock) in a bucket of their own. */
const STATEFUL: readonly Workload[] = Object.freeze(['orders', 'inventory']);

interface WorkloadRights {
  /** Subjects it calls. */
  readonly publish: readonly string[];
  /** Subjects it answers, in its own queue group. */
  readonly serves: readonly string[];
}

/** The call graph: who calls what (publish) and who answers what (serves). */
const RIGHTS: Readonly<Record<Workload, WorkloadRights>> = Object.freeze({
  // The edge serves HTTP, not NATS: it calls the STS and orders, and listens to revocations.
  edge: { publish: [EstateSubjects.stsExchange, EstateSubjects.stsJwks, 'orders.*'], serves: [] },
  // The STS only answers: token exchange and its keys.
  sts: { publish: [], serves: [EstateSubjects.stsExchange, EstateSubjects.stsJwks] },
  orders: { publish: [EstateSubjects.stsExchange, EstateSubjects.stsJwks, 'inventory.*'], serves: ['orders.>'] },
  inventory: { publish: [EstateSubjects.stsJwks], serves: ['inventory.>'] },
});

/**
 * The inbox prefixes a workload answers into: those of every identity allowed to publish to a
 * subject it serves. Why not `allow_responses` alone: nats-server forgets which replies a client
 * may send whenever its configuration is reloaded (every user is registered again, and with it an
 * empty response map: server/client.go setPermissions), and the estate reloads it on every
 * certificate renewal, pin change and bundle change (SECURITY.md L1, L4, L5). A request received
 * before a reload would then go unanswered. Granting the callers' inbox prefixes keeps replies
 * flowing across reloads; a responder still cannot reach any other identity's inbox, and the
 * inboxes it can reach are per request (`<prefix>.<random NUID>`), known only to whoever was sent
 * the request.
 */
function answeredInboxes(responder: Workload): string[] {
  const served = RIGHTS[responder].serves;
  const callers = WORKLOADS.filter((caller) => RIGHTS[caller].publish.some((subject) => served.some((mine) => subjectsOverlap(subject, mine))));
  return callers.map(ownInbox);
}

function workload(identity: Workload): IdentityPermissions {
  const rights = RIGHTS[identity];
  return Object.freeze({
    identity,
    publish: Object.freeze([...rights.publish, ...answeredInboxes(identity)]),
    subscribe: Object.freeze([...rights.serves.map((subject) => served(identity, subject)), ownInbox(identity), EstateSubjects.revocations]),
    // Replies also go to the callers' inboxes granted above (answeredInboxes). Kept for JetStream
    // flow-control requests, should a KV watcher ever need them.
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
  ...WORKLOADS.map(workload),
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
