import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseAllDocuments, parse } from 'yaml';

/**
 * deploy/k8s as `kustomize build` would emit it, for the subset of kustomize it uses: `resources`
 * (files, each one or more documents), the `namespace` set on every namespaced object, and a
 * `configMapGenerator` from files. Anything else in the kustomization is refused, so the test
 * never silently validates less than the deployment holds.
 */
export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string> };
  readonly spec?: Record<string, unknown>;
  readonly data?: Record<string, string>;
  readonly [key: string]: unknown;
}

const SUPPORTED = new Set(['apiVersion', 'kind', 'namespace', 'labels', 'resources', 'configMapGenerator']);

export function buildKustomization(dir: string): Manifest[] {
  const root = resolve(dir);
  const kustomization = parse(readFileSync(join(root, 'kustomization.yaml'), 'utf8')) as Record<string, unknown>;
  const unsupported = Object.keys(kustomization).filter((key) => !SUPPORTED.has(key));
  if (unsupported.length > 0) throw new Error(`kustomization fields this check does not model: ${unsupported.join(', ')}`);
  const namespace = kustomization['namespace'] as string | undefined;
  const manifests: Manifest[] = [];
  for (const file of kustomization['resources'] as string[]) {
    for (const document of parseAllDocuments(readFileSync(join(root, file), 'utf8'))) {
      if (document.errors.length > 0) throw new Error(`${file}: ${document.errors.map((error) => error.message).join('; ')}`);
      const manifest = document.toJS() as Manifest | null;
      if (manifest !== null) manifests.push(manifest);
    }
  }
  for (const generator of (kustomization['configMapGenerator'] as { name: string; files: string[] }[] | undefined) ?? []) {
    const data = Object.fromEntries(generator.files.map((file) => [file.split('/').at(-1)!, readFileSync(join(root, file), 'utf8')]));
    manifests.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: generator.name }, data });
  }
  return manifests.map((manifest) => (manifest.kind === 'Namespace' || namespace === undefined ? manifest : { ...manifest, metadata: { ...manifest.metadata, namespace } }));
}

export const K8S_DIR = join(dirname(new URL(import.meta.url).pathname), '../../../deploy/k8s');
