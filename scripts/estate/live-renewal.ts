import { connect } from '@nats-io/transport-node';
import { loadEstateConfig, natsConnectionOptions, WORKLOADS } from '#estate';
import type { CertificateRenewer } from '../../certs/certificate-renewer.js';
import { operatorAuditLog, publishRevocation } from '../nats/publish-revocation.js';
import type { AppProcess } from './app-process.js';
import { expectThat, type WalkthroughReport } from './walkthrough-report.js';

export interface LiveRenewalTargets {
  readonly renewer: CertificateRenewer;
  /** The running apps by name: each workload prints when its connections have moved. */
  readonly apps: readonly AppProcess[];
  readonly natsUrl: string;
  readonly certsDir: string;
  /** Places one order through every hop; resolves its HTTP status. */
  readonly placeOrder: () => Promise<number>;
}

/** How long a workload may take to notice its new files and move its connections; seconds in practice. */
const MOVE_TIMEOUT_MS = 30_000; // milliseconds
/** A revocation of a superseded certificate need outlive it only by this much. */
const REVOCATION_SLACK_S = 60; // seconds

/**
 * SECURITY.md L1-L3 and L5, shown: every workload's certificate (and the broker's) is renewed now,
 * while everything runs; each workload signs with its new key and moves its NATS connections
 * make-before-break (no restart: the same pids). Then every superseded certificate is revoked on
 * `estate.revocations`, as `npm run revoke -- --cert` would, each with its `revocation_published`
 * audit line (O3): the broker unpins it and the hops refuse it (H12). An order placed afterwards
 * still goes through every hop, which it could not if any workload still used a superseded
 * certificate.
 */
export async function runLiveRenewal(report: WalkthroughReport, targets: LiveRenewalTargets): Promise<void> {
  const { renewer } = targets;
  report.heading('Live renewal: every certificate replaced while the estate runs, the old ones revoked');
  const superseded = new Map<string, { thumbprint: string; notAfter: Date }>();
  await report.run('renew every workload certificate and the broker\'s now; each workload moves make-before-break', async () => {
    const pids = targets.apps.map((app) => app.pid);
    const lines: string[] = [];
    // On a cluster, each node's route certificate too (nats-route-<n>): every node reloads.
    const routes = Object.keys(renewer.status().leaves).filter((leaf) => leaf.startsWith('nats-route-'));
    for (const name of [...WORKLOADS, 'nats', ...routes]) {
      const before = renewer.status().leaves[name];
      expectThat(before?.thumbprint !== undefined && before.notAfter !== undefined, `no current leaf for ${name}`);
      await renewer.renewNow(name);
      const after = renewer.status().leaves[name]!;
      expectThat(after.thumbprint !== before!.thumbprint, `${name} was not renewed: ${after.lastError ?? 'no reason given'}`);
      if ((WORKLOADS as readonly string[]).includes(name)) superseded.set(name, { thumbprint: before!.thumbprint!, notAfter: before!.notAfter! });
      // Every replica of the workload (`orders`, or `orders-1` and `orders-2` with --cluster).
      const replicas = targets.apps.filter((candidate) => candidate.name === name || candidate.name.startsWith(`${name}-`));
      for (const app of replicas) await app.waitForOutput(new RegExp(`every NATS connection moved to the renewed certificate, x5t#S256 ${after.thumbprint}`), MOVE_TIMEOUT_MS);
      lines.push(`${name.padEnd(12)} x5t#S256 ${before!.thumbprint!.slice(0, 12)}… -> ${after.thumbprint!.slice(0, 12)}…${replicas.length === 0 ? ' (nats-server reloaded)' : ` moved${replicas.length > 1 ? ` (${replicas.length} replicas)` : ''}`}`);
    }
    expectThat(targets.apps.every((app, index) => app.pid === pids[index]), 'an app was restarted');
    return [...lines, 'no app restarted (same pids)'].join('\n');
  });

  await report.run('revoke every superseded certificate on estate.revocations: the broker unpins it, the hops refuse it', async () => {
    const config = loadEstateConfig({ NATS_URL: targets.natsUrl, CERTS_DIR: targets.certsDir }, 'admin');
    const admin = await connect(natsConnectionOptions(config));
    // As `npm run revoke` does: each revocation also one `revocation_published` audit line (O3).
    const trail = { audit: operatorAuditLog(), caller: config.spiffeId };
    try {
      const now = Math.floor(Date.now() / 1000);
      for (const { thumbprint, notAfter } of superseded.values()) {
        const ttlSeconds = Math.max(1, Math.ceil(notAfter.getTime() / 1000) - now + REVOCATION_SLACK_S);
        await publishRevocation(admin, { kind: 'cert', value: thumbprint, ttlSeconds }, trail, now);
      }
    } finally {
      await admin.close();
    }
    return `${superseded.size} certificates revoked (${[...superseded.keys()].join(', ')})`;
  });

  await report.run('an order placed now still goes through every hop: nothing uses a superseded certificate', async () => {
    const status = await targets.placeOrder();
    expectThat(status === 201, `expected 201, got ${status}`);
    return '201';
  });
}
