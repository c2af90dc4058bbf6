import { jetstreamManager, JetStreamApiError, type StreamConfig, type StreamUpdateConfig } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';

/**
 * Brings an existing stream (a KV bucket's or REVOCATIONS) to `wanted`, in place. A change of
 * `num_replicas` (R1 to R3 when an estate moves onto a cluster, SECURITY.md S1) is a stream
 * update that nats-server 2.10 and later carries out itself, copying the stream to the new peers;
 * when it cannot (fewer nodes up than replicas asked, or a server that refuses the change), the
 * error says exactly what to do rather than leaving a single copy behind silently.
 */
export async function updateStream(admin: NatsConnection, name: string, wanted: Partial<StreamUpdateConfig> & Partial<StreamConfig>): Promise<void> {
  const manager = await jetstreamManager(admin);
  const before = (await manager.streams.info(name)).config.num_replicas;
  try {
    await manager.streams.update(name, wanted);
  } catch (error) {
    const replicas = wanted.num_replicas;
    if (replicas === undefined || replicas === before || !(error instanceof JetStreamApiError)) throw error;
    throw new Error(
      `stream ${name} is R${before} and nats-server would not make it R${replicas} (${error.message}): ` +
      `start every node of the cluster (at least ${replicas} with JetStream) and run \`node dist/scripts/nats/main.js provision\` again; ` +
      `if the server still refuses, copy the stream off and delete it (\`nats stream backup ${name}\`, \`nats stream rm ${name}\`), then provision creates it at R${replicas}`,
      { cause: error },
    );
  }
}
