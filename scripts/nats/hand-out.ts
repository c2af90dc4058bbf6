import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomically } from '../../certs/atomic-write.js';
import { BROKER_LEAF_NAME, clusterNodeHost, routeLeafName } from '../../certs/estate-leaves.js';
import { PINS_FILE } from '../../certs/pins-file.js';
import { ROUTE_FILE_STEM } from './cluster-config.js';

/**
 * What the renewer service copies into each container's own folder (HAND_OUT_DIR/<folder>/, the
 * volume only that container mounts), file by file, in the order a reader can live with: the pins
 * first (a new key is pinned before it is used), then each key before its certificate, the CA
 * bundle last.
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

/** Copies `from` to `to` atomically when its content differs (keys 0600); returns whether it did. */
async function handOutFile(from: string, to: string): Promise<boolean> {
  const content = await readFile(from, 'utf8').catch(() => undefined);
  if (content === undefined) return false;
  const current = await readFile(to, 'utf8').catch(() => undefined);
  if (current === content) return false;
  await writeFileAtomically(to, content, { mode: to.endsWith('.key') ? 0o600 : 0o644 });
  return true;
}

/** Carries out `plan` from the renewer's folder `sourceDir` into `outDir`. */
export async function handOut(sourceDir: string, outDir: string, plan: readonly HandOutFolder[]): Promise<void> {
  for (const { folder, files } of plan) {
    const target = join(outDir, folder);
    await mkdir(target, { recursive: true, mode: 0o700 });
    for (const file of files) await handOutFile(join(sourceDir, file.from), join(target, file.to));
  }
}
