/**
 * The JetStream API subjects a KV bucket needs, scoped to that bucket's stream (`KV_<bucket>`)
 * so no identity reaches another's state. A KV bucket is a stream whose subjects are
 * `$KV.<bucket>.>`; the API is requests to `$JS.API.<verb>.<stream>[...]`.
 *
 * Creating or updating a stream is NOT granted to workloads: a stream's configuration names the
 * subjects it captures, so whoever may create `KV_edge` could make it capture `orders.>` or
 * another's inbox and read those messages back. The operator (admin) provisions the buckets.
 */
function streamOf(bucket: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(bucket)) throw new TypeError(`not a KV bucket name: "${bucket}"`);
  return `KV_${bucket}`;
}

/** What a bucket's owner publishes to read and write it (its replies arrive in its inbox). */
export function kvUserSubjects(bucket: string): string[] {
  const stream = streamOf(bucket);
  return [
    `$JS.API.STREAM.INFO.${stream}`, // open the bucket, read its status
    `$JS.API.DIRECT.GET.${stream}`, // get (allow_direct buckets)
    `$JS.API.DIRECT.GET.${stream}.>`, // get by key: last_by_subj travels in the subject
    `$JS.API.STREAM.MSG.GET.${stream}`, // get (buckets without allow_direct)
    `$JS.API.CONSUMER.CREATE.${stream}`, // watch, keys, history: ordered consumers (older API)
    `$JS.API.CONSUMER.CREATE.${stream}.>`, // same, named-consumer API with filter subject
    `$JS.API.CONSUMER.INFO.${stream}.>`, // keys() and history() ask how many messages remain
    `$JS.API.CONSUMER.DELETE.${stream}.>`, // clean up those consumers
    `$KV.${bucket}.>`, // put, create (claim once), update, delete
  ];
}

/** What the operator publishes to create and reconfigure a bucket with a vetted configuration. */
export function kvProvisionerSubjects(bucket: string): string[] {
  const stream = streamOf(bucket);
  return [
    `$JS.API.STREAM.CREATE.${stream}`,
    `$JS.API.STREAM.UPDATE.${stream}`,
    `$JS.API.STREAM.INFO.${stream}`,
  ];
}

/**
 * What a reader of a plain stream (not a KV bucket) publishes: its state and one message by
 * sequence. Read-only requests: no consumer is created, so a reader cannot choose where the
 * server delivers the stream's messages (a push consumer's deliver subject is its creator's pick).
 */
export function streamReaderSubjects(stream: string): string[] {
  const name = streamName(stream);
  return [`$JS.API.STREAM.INFO.${name}`, `$JS.API.STREAM.MSG.GET.${name}`];
}

/** What the operator publishes to create and reconfigure a plain stream with a vetted configuration. */
export function streamProvisionerSubjects(stream: string): string[] {
  const name = streamName(stream);
  return [`$JS.API.STREAM.CREATE.${name}`, `$JS.API.STREAM.UPDATE.${name}`, `$JS.API.STREAM.INFO.${name}`];
}

function streamName(stream: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(stream)) throw new TypeError(`not a stream name: "${stream}"`);
  return stream;
}

/** Account limits and usage: read-only, and what JetStream clients ask first when creating. */
export const JETSTREAM_ACCOUNT_INFO = '$JS.API.INFO';
