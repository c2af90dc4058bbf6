/**
 * The compose `certs` job (docker-compose.yml), run once before the broker and the apps start.
 *
 * 1. `node dist/certs/generate-dev-certs.js`: the estate CA, the broker's certificate and one
 *    client certificate per SPIFFE identity into CERTS_DIR (what `npm run certs` does, without
 *    the build: the image is built already). Idempotent: good certificates are kept.
 * 2. `node dist/scripts/nats/main.js config`: the broker's configuration from the same permission
 *    table the tests and `npm run nats:serve` use, so identities and permissions in compose are
 *    the local estate's.
 * 3. One folder per container under ESTATE_OUT_DIR, each mounted (from its own volume) at
 *    CERTS_DIR in that one container: `<workload>/` holds `<workload>.crt`, `<workload>.key` and
 *    `ca.crt`; `nats/` holds the broker's pair, `ca.crt` and `nats.conf`; `admin/` the operator's
 *    pair for the `jetstream` provisioning job. No container but this job sees the CA key or
 *    another identity's key.
 *
 * Environment: CERTS_DIR (default /estate/certs), ESTATE_OUT_DIR (default /estate/out); for the
 * broker's configuration NATS_HOST, NATS_PORT, NATS_STORE_DIR (read by scripts/nats/main.ts);
 * and the certificate settings generate-dev-certs reads (CERT_VALIDITY_DAYS, ...).
 * test/compose/ runs this file as it is, against a temporary folder.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ADMIN_IDENTITY, WORKLOADS } from '#estate';

const root = fileURLToPath(new URL('../', import.meta.url));
const certsDir = process.env.CERTS_DIR?.trim() || '/estate/certs';
const outDir = process.env.ESTATE_OUT_DIR?.trim() || '/estate/out';
const env = { ...process.env, CERTS_DIR: certsDir };

/** Write, then rename: a container starting meanwhile never reads half a file. */
function place(target, write, mode) {
  const temporary = `${target}.${process.pid}.tmp`;
  write(temporary);
  chmodSync(temporary, mode);
  renameSync(temporary, target);
}

function handOut(folder, names) {
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  for (const name of [...names.flatMap((n) => [`${n}.crt`, `${n}.key`]), 'ca.crt']) {
    place(join(folder, name), (temporary) => copyFileSync(join(certsDir, name), temporary), name.endsWith('.key') ? 0o600 : 0o644);
  }
}

execFileSync(process.execPath, ['dist/certs/generate-dev-certs.js'], { cwd: root, env, stdio: 'inherit' });
const config = execFileSync(process.execPath, ['dist/scripts/nats/main.js', 'config'], { cwd: root, env, encoding: 'utf8' });

handOut(join(outDir, 'nats'), ['nats']);
place(join(outDir, 'nats', 'nats.conf'), (temporary) => writeFileSync(temporary, config), 0o644);
for (const identity of [...WORKLOADS, ADMIN_IDENTITY]) handOut(join(outDir, identity), [identity]);
console.log(`handed out: ${['nats', ...WORKLOADS, ADMIN_IDENTITY].map((name) => `${outDir}/${name}/`).join(' ')}`);
