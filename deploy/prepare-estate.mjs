/**
 * The compose `certs` job (docker-compose.yml), run once before the broker and the apps start.
 *
 * 1. `node dist/scripts/nats/renewer-service.js --once`: the estate CA, the broker's certificate
 *    and one short-lived client certificate per SPIFFE identity into CERTS_DIR, `nats-pins.conf`
 *    (the client keys the broker admits), and one folder per container under ESTATE_OUT_DIR, each
 *    mounted (from its own volume) at CERTS_DIR in that one container: `<workload>/` holds
 *    `<workload>.crt`, `<workload>.key` and `ca.crt`; `nats/` the broker's pair, `ca.crt` and
 *    `nats-pins.conf`; `admin/` the operator's pair for the `jetstream` job. Idempotent: valid
 *    certificates are kept. The `renewer` service then keeps all of it fresh (same code, no --once).
 * 2. `node dist/scripts/nats/main.js config`: the broker's configuration from the same permission
 *    table the tests and `npm run nats:serve` use, including the pins file, so identities and
 *    permissions in compose are the local estate's; written to `nats/nats.conf`.
 * 3. With NATS_CLUSTER_NODES (compose's `cluster` profile): the renewer also issued one route
 *    certificate per node and handed each node its folder (`nats-<index>/`); `node
 *    dist/scripts/nats/main.js cluster-config` renders the nodes' configuration (the same renderer
 *    as the cluster supervisor's, routes to `nats-route://nats-<index>:6222` over mutual TLS,
 *    only the route identity joins), written to every node's folder as `nats.conf`.
 * No container but this job and the renewer sees the CA key or another identity's key.
 *
 * Environment: CERTS_DIR (default /estate/certs), ESTATE_OUT_DIR (default /estate/out); for the
 * broker's configuration NATS_HOST, NATS_PORT, NATS_STORE_DIR (read by scripts/nats/main.ts);
 * and the renewer's settings (CERT_TTL, CA_TTL, ...: certs/renew-settings.ts).
 * test/compose/ runs this file as it is, against a temporary folder.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const certsDir = process.env.CERTS_DIR?.trim() || '/estate/certs';
const outDir = process.env.ESTATE_OUT_DIR?.trim() || '/estate/out';
const env = { ...process.env, CERTS_DIR: certsDir, HAND_OUT_DIR: outDir, NATS_PINS_FILE: 'nats-pins.conf' };

/** Write, then rename: a container starting meanwhile never reads half a file. */
function place(target, write, mode) {
  const temporary = `${target}.${process.pid}.tmp`;
  write(temporary);
  chmodSync(temporary, mode);
  renameSync(temporary, target);
}

execFileSync(process.execPath, ['dist/scripts/nats/renewer-service.js', '--once'], { cwd: root, env, stdio: 'inherit' });
const config = execFileSync(process.execPath, ['dist/scripts/nats/main.js', 'config'], { cwd: root, env, encoding: 'utf8' });
place(join(outDir, 'nats', 'nats.conf'), (temporary) => writeFileSync(temporary, config), 0o644);
console.log(`nats.conf written to ${outDir}/nats/`);

const clusterNodes = Number(process.env.NATS_CLUSTER_NODES?.trim() || '0');
if (clusterNodes > 0) {
  const nodeConfig = execFileSync(process.execPath, ['dist/scripts/nats/main.js', 'cluster-config'], { cwd: root, env, encoding: 'utf8' });
  for (let index = 1; index <= clusterNodes; index++) place(join(outDir, `nats-${index}`, 'nats.conf'), (temporary) => writeFileSync(temporary, nodeConfig), 0o644);
  console.log(`cluster nats.conf written to ${outDir}/nats-1 ... nats-${clusterNodes}/`);
}
