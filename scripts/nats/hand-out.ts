import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readCertificateKeyPairAsync } from '#estate';
import { writeFileAtomically } from '../../certs/atomic-write.js';
import { BROKER_LEAF_NAME, clusterNodeHost, routeLeafName } from '../../certs/estate-leaves.js';
import { PINS_FILE } from '../../certs/pins-file.js';
import { ROUTE_FILE_STEM } from './cluster-config.js';

/**
 * What the renewer service copies into each container's own folder (HAND_OUT_DIR/<folder>/, the
 * volume only that container mounts), file by file, in the order a reader can live with: the pins
 * first (a new key is pinned before it is used), then each key before its certificate, the CA
 * bundle last. A key and its certificate are read as one pair (readCertificateKeyPairAsync): only
 * a key that matches the certificate is handed out, with that certificate, never a key of one
 * renewal with the certificate of another.
 * - one folder per identity leaf (`nats`, every workload, `admin`): `<name>.key`, `<name>.crt`,
 *   `ca.crt`; the broker's also `nats-pins.conf`;
 * - one folder per cluster node (`nats-<index>`, compose's `cluster` profile): the broker's pair
 *   (every node serves clients with it), the node's own route leaf under the names the rendered
 *   cluster configuration reads (`nats-route.key/crt`, cluster-config.ts), the pins and `ca.crt`.
 * Route leaves get no folder of their own: only their node reads them.
 */
export interface HandOutFolder {
  readonly folder: string;
  readonly files: readonly { readonly from: string; readonly to: string }[];
}

const same = (name: string) => ({ from: name, to: name });

export function handOutPlan(identityLeaves: readonly string[], clusterNodes: number): readonly HandOutFolder[] {
  const identities = identityLeaves.map((name): HandOutFolder => ({
    folder: name,
    files: [...(name === BROKER_LEAF_NAME ? [same(PINS_FILE)] : []), same(`${name}.key`), same(`${name}.crt`), same('ca.crt')],
  }));
  const nodes = Array.from({ length: clusterNodes }, (_, offset): HandOutFolder => ({
    folder: clusterNodeHost(offset + 1),
    files: [
      same(PINS_FILE),
      same(`${BROKER_LEAF_NAME}.key`),
      same(`${BROKER_LEAF_NAME}.crt`),
      { from: `${routeLeafName(offset + 1)}.key`, to: `${ROUTE_FILE_STEM}.key` },
      { from: `${routeLeafName(offset + 1)}.crt`, to: `${ROUTE_FILE_STEM}.crt` },
      same('ca.crt'),
    ],
  }));
  return Object.freeze([...identities, ...nodes]);
}

/** Writes `content` to `to` atomically when it differs (keys 0600); returns whether it did. */
async function handOutContent(content: string, to: string): Promise<boolean> {
  const current = await readFile(to, 'utf8').catch(() => undefined);
  if (current === content) return false;
  await writeFileAtomically(to, content, { mode: to.endsWith('.key') ? 0o600 : 0o644 });
  return true;
}

/** Copies `from` to `to` atomically when its content differs; returns whether it did. */
async function handOutFile(from: string, to: string): Promise<boolean> {
  const content = await readFile(from, 'utf8').catch(() => undefined);
  return content === undefined ? false : handOutContent(content, to);
}

type PlannedFile = HandOutFolder['files'][number];

/** The certificate planned right after a key of the same name (`x.key`, then `x.crt`), if any. */
function certificateAfter(key: PlannedFile, next: PlannedFile | undefined): PlannedFile | undefined {
  if (next === undefined || !key.from.endsWith('.key') || !key.to.endsWith('.key')) return undefined;
  const stem = (name: string) => name.slice(0, -'.key'.length);
  return next.from === `${stem(key.from)}.crt` && next.to === `${stem(key.to)}.crt` ? next : undefined;
}

/**
 * Copies a key and its certificate, read as one matching pair, key first. A pair not (yet) in the
 * source folder is skipped, as a missing file is; one that never matches is not handed out at all.
 */
async function handOutPair(sourceDir: string, target: string, key: PlannedFile, cert: PlannedFile): Promise<void> {
  let pair;
  try {
    pair = await readCertificateKeyPairAsync({ variable: 'CERTS_DIR', path: join(sourceDir, cert.from) }, { variable: 'CERTS_DIR', path: join(sourceDir, key.from) });
  } catch (error) {
    if ((error as { cause?: NodeJS.ErrnoException }).cause?.code === 'ENOENT') return;
    throw error;
  }
  await handOutContent(pair.keyPem, join(target, key.to));
  await handOutContent(pair.certPem, join(target, cert.to));
}

/**
 * Carries out `plan` from the renewer's folder `sourceDir` into `outDir`. A pair that cannot be
 * handed out (its key never matched its certificate) leaves that folder's pair as it was; the
 * other files and folders are still handed out, then the call rejects naming every such pair.
 */
export async function handOut(sourceDir: string, outDir: string, plan: readonly HandOutFolder[]): Promise<void> {
  const problems: string[] = [];
  for (const { folder, files } of plan) {
    const target = join(outDir, folder);
    await mkdir(target, { recursive: true, mode: 0o700 });
    for (let i = 0; i < files.length; i++) {
      const file = files[i]!;
      const cert = certificateAfter(file, files[i + 1]);
      if (cert === undefined) {
        await handOutFile(join(sourceDir, file.from), join(target, file.to));
        continue;
      }
      i++;
      await handOutPair(sourceDir, target, file, cert).catch((error: unknown) => problems.push(`${folder}: ${error instanceof Error ? error.message : String(error)}`));
    }
  }
  if (problems.length > 0) throw new Error(`not handed out: ${problems.join('; ')}`);
}
