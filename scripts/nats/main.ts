import { resolve } from 'node:path';
import { provisionAsAdmin } from './provision-jetstream.js';
import { renderNatsConfig } from './render-nats-config.js';
import { startNatsServer } from './supervisor.js';

/**
 * The nats-server of the estate, for people (the demo, docker-compose), from dist/ after
 * `tsc -b scripts/nats/tsconfig.json`:
 *
 *   node dist/scripts/nats/main.js serve    # own free port (or NATS_PORT), certs from CERTS_DIR
 *   node dist/scripts/nats/main.js config   # print the configuration (for a container)
 *   node dist/scripts/nats/main.js provision  # as admin: the REVOCATIONS stream and state buckets
 *
 * `serve` provisions JetStream itself once the server is ready. `provision` reads NATS_URL and
 * CERTS_DIR (admin.crt, admin.key, ca.crt) like every app (libs/estate).
 *
 * Environment: CERTS_DIR (default certs/out, as `npm run certs` writes it), NATS_HOST
 * (default 127.0.0.1), NATS_PORT; for `config` also NATS_STORE_DIR (default /data).
 */
function port(raw: string | undefined, fallback: number | undefined): number | undefined {
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || value < 1 || value > 65535) throw new Error(`NATS_PORT: must be a port number, got "${raw}"`);
  return value;
}

async function main(command: string | undefined): Promise<void> {
  const certsDir = resolve(process.env['CERTS_DIR']?.trim() || 'certs/out');
  const host = process.env['NATS_HOST']?.trim() || '127.0.0.1';
  const tls = { certFile: `${certsDir}/nats.crt`, keyFile: `${certsDir}/nats.key`, caFile: `${certsDir}/ca.crt` };
  if (command === 'config') {
    const jetStreamDir = process.env['NATS_STORE_DIR']?.trim() || '/data';
    process.stdout.write(renderNatsConfig({ host, port: port(process.env['NATS_PORT'], 4222)!, tls, jetStreamDir }));
    return;
  }
  if (command === 'provision') {
    const provisioned = await provisionAsAdmin(process.env);
    console.log(`provisioned stream ${provisioned.revocationStream}, buckets ${[...provisioned.replayBuckets, ...provisioned.stateBuckets].join(', ')}`);
    return;
  }
  if (command !== 'serve') throw new Error('usage: main.js serve | config | provision');
  const requested = port(process.env['NATS_PORT'], undefined);
  const supervisor = await startNatsServer({
    tls,
    probe: { certFile: `${certsDir}/admin.crt`, keyFile: `${certsDir}/admin.key` },
    host,
    ...(requested === undefined ? {} : { port: requested }),
  });
  await provisionAsAdmin({ NATS_URL: supervisor.url, CERTS_DIR: certsDir });
  console.log(`nats-server ready: NATS_URL=${supervisor.url} CERTS_DIR=${certsDir} (Ctrl-C stops it)`);
  const stop = (): void => {
    supervisor.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main(process.argv[2]).catch((error: unknown) => {
  console.error(`nats: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
