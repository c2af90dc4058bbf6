import { mkdir } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { Logger } from '@nestjs/common';
import { fileURLToPath } from 'node:url';
import { ensureDevCertificates } from '../../certs/ensure-dev-certs.js';
import { NatsServerMissingError } from '../nats/find-nats-server.js';
import { provisionAsAdmin } from '../nats/provision-jetstream.js';
import { startNatsServer, type NatsSupervisor } from '../nats/supervisor.js';
import { AppProcess } from './app-process.js';
import { estateApps, estateLayout } from './estate-layout.js';
import { runWalkthrough } from './walkthrough.js';
import { WalkthroughReport } from './walkthrough-report.js';

/**
 * `npm run estate [-- --once]`: the whole estate on this machine, then a walkthrough of the
 * hybrid flow with two attacks refused. Certificates are generated if missing (certs/out/),
 * nats-server runs with mTLS on a free port, each app runs as a child process with a readiness
 * check. Without --once it keeps running for the SPA until Ctrl-C; with --once it exits after
 * the walkthrough, 0 only if every step went as expected. Nothing is left running either way.
 */
const ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));

async function main(once: boolean): Promise<number> {
  // The report is this process's whole output; the apps log to their files. Nest's own logger
  // (the walkthrough's NATS client in attack 2) would interleave with it.
  Logger.overrideLogger(false);
  const layout = estateLayout(ROOT, process.env);
  const shown = (dir: string): string => relative(process.cwd(), dir) || '.';
  const report = new WalkthroughReport();
  const apps: AppProcess[] = [];
  let nats: NatsSupervisor | undefined;
  const stopAll = async (): Promise<void> => {
    await Promise.allSettled(apps.map((app) => app.stop()));
    await nats?.stop();
  };
  process.once('exit', () => apps.forEach((app) => app.killNow()));
  try {
    await mkdir(join(layout.stateDir, 'logs'), { recursive: true, mode: 0o700 });
    report.heading(`Estate PKI (${shown(layout.certsDir)}, generated; keys 0600, never committed)`);
    await report.run('CA and one certificate per workload, one SPIFFE ID each', async () => {
      const outcomes = await ensureDevCertificates({ dir: layout.certsDir, caValidityDays: 30, leafValidityDays: 7, keyAlgorithm: 'ES256' });
      return outcomes.map((outcome) => `${outcome.name.padEnd(10)} ${outcome.action.padEnd(8)} until ${outcome.notAfter.toISOString()}`).join('\n');
    });

    report.heading('NATS with mutual TLS (users are URI SANs, least-privilege permissions)');
    const natsStarted = await report.run('nats-server of our own, on a free port', async () => {
      const files = (name: string) => ({ certFile: join(layout.certsDir, `${name}.crt`), keyFile: join(layout.certsDir, `${name}.key`) });
      nats = await startNatsServer({ tls: { ...files('nats'), caFile: join(layout.certsDir, 'ca.crt') }, probe: files('admin') });
      return `NATS_URL=${nats.url}`;
    });
    if (!natsStarted || nats === undefined) return 1;
    const natsUrl = nats.url;
    const provisioned = await report.run('JetStream, as the operator (admin): revocation stream, state buckets', async () => {
      const result = await provisionAsAdmin({ NATS_URL: natsUrl, CERTS_DIR: layout.certsDir });
      return `stream ${result.revocationStream}; buckets ${result.stateBuckets.join(', ')}`;
    });
    if (!provisioned) return 1;

    report.heading(`The apps (logs in ${shown(join(layout.stateDir, 'logs'))})`);
    for (const spec of estateApps(layout, natsUrl)) {
      const app = new AppProcess(spec);
      apps.push(app);
      const started = await report.run(`${spec.name}`, async () => {
        await app.start();
        return 'url' in spec.ready ? `ready: ${spec.ready.url}` : 'ready';
      });
      if (!started) return 1;
    }

    await runWalkthrough(report, {
      authUrl: `http://localhost:${layout.ports.auth}`,
      edgeUrl: `http://localhost:${layout.ports.edge}`,
      mobileStateDir: join(layout.stateDir, 'mobile'),
      natsUrl,
      certsDir: layout.certsDir,
    });

    report.heading(report.allPassed ? 'Every step went as expected' : 'Some steps did not go as expected (see above)');
    report.info(`SPA:  http://localhost:${layout.ports.spa}/   (alice / wonderland, demo users only)`);
    report.info(`edge: http://localhost:${layout.ports.edge}/v1/me   /v1/orders   metadata: /.well-known/oauth-protected-resource`);
    report.info(`NATS: ${natsUrl} (mTLS; CERTS_DIR=${layout.certsDir})`);
    report.info(`auth: http://localhost:${layout.ports.auth}/.well-known/openid-configuration`);
    if (once) return report.allPassed ? 0 : 1;
    report.info('running until Ctrl-C');
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    return report.allPassed ? 0 : 1;
  } catch (error) {
    if (error instanceof NatsServerMissingError) {
      console.error(`\n${error.message}`);
      return 1;
    }
    throw error;
  } finally {
    process.stdout.write('\nstopping the estate...\n');
    await stopAll();
  }
}

main(process.argv.includes('--once')).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('estate:', error instanceof Error ? error.stack : error);
    process.exit(1);
  },
);
