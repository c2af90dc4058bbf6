import type { MobileClient } from '#mobile';
import { expectThat, type WalkthroughReport } from './walkthrough-report.js';

/** One edge replica as the walkthrough calls it: its name and its own origin (its port). */
export interface EdgeReplica {
  readonly name: string;
  readonly url: string;
}

/**
 * `--cluster` (SECURITY.md S1, S3): the same logged-in client at each edge replica in turn. Each
 * answers on its own port, so the report names the replica that answered. The replicas share the
 * nonce secret, the replay bucket (replicated R3 on the cluster) and the audience, so one token
 * and one key serve at both, and an order placed through one is read back through the other.
 */
export async function runReplicaSteps(report: WalkthroughReport, mobile: MobileClient | undefined, replicas: readonly EdgeReplica[]): Promise<void> {
  report.heading(`Replicas: ${replicas.length} edges (and two of sts, orders, inventory) on a three-node NATS cluster`);
  let placed: { id: string; via: string } | undefined;
  for (const replica of replicas) {
    await report.run(`POST /v1/orders at ${replica.name} (${replica.url})`, async () => {
      expectThat(mobile !== undefined, 'no logged-in client');
      const response = await mobile!.call(`${replica.url}/v1/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sku: `tea-${replica.name}`, quantity: 1 }) });
      const body = JSON.parse((await response.text()) || '{}') as Record<string, unknown>;
      expectThat(response.status === 201, `expected 201, got ${response.status} ${JSON.stringify(body)}`);
      placed ??= { id: String(body['id']), via: replica.name };
      return `answered by ${replica.name}: 201 order ${String(body['id'])}`;
    });
  }
  const other = replicas.find((replica) => replica.name !== placed?.via);
  if (other === undefined) return;
  await report.run(`GET /v1/orders/:id at ${other.name}: an order placed through ${placed?.via ?? 'another replica'} reads back through this one`, async () => {
    expectThat(placed !== undefined, 'no order to read');
    const response = await mobile!.call(`${other.url}/v1/orders/${placed!.id}`);
    const body = JSON.parse((await response.text()) || '{}') as Record<string, unknown>;
    expectThat(response.status === 200 && body['id'] === placed!.id, `expected 200 with order ${placed!.id}, got ${response.status} ${JSON.stringify(body)}`);
    return `answered by ${other.name}: 200 ${JSON.stringify(body)}`;
  });
}
