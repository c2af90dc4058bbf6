/**
 * The estate's identities (ARCHITECTURE.md "Identities"): one SPIFFE ID per workload in the
 * trust domain, plus the operator's `admin` identity that announces revocations. The names
 * here are the single source for certificate file names, NATS users, inbox prefixes, queue
 * groups and KV bucket names, so the broker's permissions and the apps' options cannot drift.
 */
export const TRUST_DOMAIN = 'estate.local';

export const WORKLOADS = Object.freeze(['edge', 'sts', 'orders', 'inventory'] as const);
export type Workload = (typeof WORKLOADS)[number];

/** Not a workload: it serves nothing and only publishes revocations (and provisions buckets). */
export const ADMIN_IDENTITY = 'admin';

export type EstateIdentity = Workload | typeof ADMIN_IDENTITY;
export const ESTATE_IDENTITIES: readonly EstateIdentity[] = Object.freeze([...WORKLOADS, ADMIN_IDENTITY]);

export function isEstateIdentity(value: string): value is EstateIdentity {
  return (ESTATE_IDENTITIES as readonly string[]).includes(value);
}

export function isWorkload(value: string): value is Workload {
  return (WORKLOADS as readonly string[]).includes(value);
}

/** The URI SAN of the identity's certificate, which is also its NATS user and its audience. */
export function spiffeIdOf(identity: EstateIdentity): string {
  return `spiffe://${TRUST_DOMAIN}/${identity}`;
}

/**
 * Each identity may subscribe only below its own inbox prefix, so no workload can read the
 * replies meant for another: clients must be configured with this `inboxPrefix`.
 */
export function inboxPrefixOf(identity: EstateIdentity): string {
  return `_INBOX.${identity}`;
}

/** The broker only lets a workload subscribe to its own subjects in this queue group. */
export function queueGroupOf(workload: Workload): string {
  return workload;
}

/** Each workload owns one KV bucket (for its replay store and similar state), named after it. */
export function kvBucketOf(workload: Workload): string {
  return workload;
}

/**
 * The KV bucket that holds a workload's durable state (orders' orders, inventory's stock), apart
 * from its own bucket: a replay bucket's one `max_age` is every claim's TTL, so a bucket whose `max_age` bounds replay
 * claims cannot also keep records that must outlive it.
 */
export function stateBucketOf(workload: Workload): string {
  return `${workload}-state`;
}
