import { randomBytes } from 'node:crypto';

/**
 * What the hop bench's caller and receiver share. The receiver runs as the estate's `orders`
 * identity and the caller as `edge`, so the permission table stays the estate's own, unchanged
 * (scripts/nats/permission-table.ts): orders may serve `orders.>` in its queue group, the edge may
 * publish `orders.*`. Hence two one-token subjects under `orders.`; no real orders handler runs.
 */
export const HOP_BENCH_SUBJECTS = Object.freeze({
  /** Behind the real hop guard: `@Bound({ confirmation: 'mtls', callers: [edge], scopes: ['orders:read'] })`. */
  hop: 'orders.bench-hop',
  /** No guard: the same echo, the plain mTLS NATS request/reply it is compared with. */
  plain: 'orders.bench-plain',
});

/** The scope the guarded handler requires, within what the STS grants the edge for orders. */
export const HOP_BENCH_SCOPE = 'orders:read';

export const HOP_BENCH_PAYLOAD_BYTES = 1024;

/**
 * A JSON object that serialises to exactly HOP_BENCH_PAYLOAD_BYTES, random so nothing on the way
 * could profit from repetition; the receiver echoes it, so each reply is 1 KB too.
 */
export function hopBenchPayload(): { readonly data: string } {
  const overhead = JSON.stringify({ data: '' }).length;
  const data = randomBytes(HOP_BENCH_PAYLOAD_BYTES).toString('base64url').slice(0, HOP_BENCH_PAYLOAD_BYTES - overhead);
  return Object.freeze({ data });
}
