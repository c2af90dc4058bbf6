import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROUTE_SPIFFE_ID } from '../../certs/estate-leaves.js';
import { renderClusterNodeConfig } from '../../scripts/nats/cluster-config.js';
import { PINNED_NATS_SERVER_VERSION } from '../../scripts/nats/nats-server-release.js';
import { ESTATE_PERMISSIONS } from '../../scripts/nats/permission-table.js';
import { buildKustomization, K8S_DIR, type Manifest } from './support/kustomization.js';
import { schemaErrors } from './support/kubernetes-schemas.js';
import { NetworkModel, podsOf, type Pod } from './support/network-policy.js';

// Issue 11 §3: deploy/k8s, the Kubernetes reference deployment, checked offline: every manifest
// against the Kubernetes API schemas (kubernetes-models from npm: kubeconform would fetch its
// schemas from GitHub, which CI cannot reach), the broker's configuration against the renderer
// and permission table, the shape the issue asks for, and the NetworkPolicies against the table.

const manifests = buildKustomization(K8S_DIR);
const byKind = (kind: string): Manifest[] => manifests.filter((manifest) => manifest.kind === kind);
const NODES = ['nats-0', 'nats-1', 'nats-2'];
const NATS_URL = NODES.map((node) => `tls://${node}.nats:4222`).join(',');
const SERVICES = ['edge', 'sts', 'orders', 'inventory'];

type Container = { name: string; env?: { name: string; value?: string }[]; livenessProbe?: Probe; readinessProbe?: Probe; volumeMounts?: { name: string; mountPath: string }[] };
type Probe = { httpGet?: { path: string }; exec?: { command: string[] } };
type PodSpec = { containers: Container[]; volumes?: { name: string; secret?: { items: { path: string }[] }; projected?: { sources: { secret: { items: { path: string }[] } }[] } }[] };

function podSpec(manifest: Manifest): PodSpec {
  return (manifest.spec as { template: { spec: PodSpec } }).template.spec;
}

function certFiles(manifest: Manifest): string[] {
  const volume = podSpec(manifest).volumes?.find((candidate) => candidate.name === 'certs');
  return [...(volume?.secret?.items ?? []), ...(volume?.projected?.sources.flatMap((source) => source.secret.items) ?? [])].map((item) => item.path).sort();
}

function probePath(probe: Probe | undefined): string | undefined {
  return probe?.httpGet?.path ?? probe?.exec?.command.at(-1)?.replace(/^https?:\/\/[^/]+/, '');
}

describe('deploy/k8s against the Kubernetes schemas', () => {
  it.each(manifests.map((manifest) => [`${manifest.kind}/${manifest.metadata.name}`, manifest] as const))('%s is valid', (_, manifest) => {
    expect(schemaErrors(manifest)).toBe('');
  });

  it('the validator refuses what Kubernetes would (a wrong type, a missing required field)', () => {
    const deployment = byKind('Deployment')[0]!;
    expect(schemaErrors({ ...deployment, spec: { ...deployment.spec, replicas: 'two' } })).toMatch(/replicas must be integer/);
    expect(schemaErrors({ ...deployment, spec: { ...deployment.spec, selector: undefined } })).toMatch(/selector/);
  });
});

describe('the deployment the issue asks for', () => {
  it('S1: a StatefulSet of three NATS nodes, each with a JetStream volume and the rendered configuration', () => {
    const [nats] = byKind('StatefulSet');
    expect(nats?.spec).toMatchObject({ replicas: 3, serviceName: 'nats', volumeClaimTemplates: [{ metadata: { name: 'data' } }] });
    const server = podSpec(nats!).containers.find((container) => container.name === 'nats')!;
    // T5: the one pinned release, as in scripts, tests, CI and compose.
    expect((server as { image?: string }).image).toBe(`nats:${PINNED_NATS_SERVER_VERSION}-alpine`);
    expect(server.volumeMounts).toEqual(expect.arrayContaining([{ name: 'data', mountPath: '/data' }, { name: 'config', mountPath: '/etc/nats' }]));
    expect(probePath(server.readinessProbe)).toBe('/healthz');
    expect(certFiles(nats!)).toEqual(['ca.crt', 'nats-route.crt', 'nats-route.key', 'nats.crt', 'nats.key']);
  });

  it('T6, S1: nats.conf is the renderer\'s output for these nodes (permission table, routes over mutual TLS, route identity only)', () => {
    const config = readFileSync(join(K8S_DIR, 'nats/nats.conf'), 'utf8');
    const expected = renderClusterNodeConfig({ certsDir: '/estate/certs', host: '0.0.0.0', port: 4222, routePort: 6222, httpPort: 8222, storeDir: '/data', routes: NODES.map((node) => `nats-route://${node}.nats:6222`) });
    expect(config).toBe(expected);
    expect(config).toContain(`user: "${ROUTE_SPIFFE_ID}"`);
    expect(byKind('ConfigMap')[0]?.data?.['nats.conf']).toBe(config);
  });

  it.each(SERVICES)('S3: %s runs two replicas with a PodDisruptionBudget, probes on /healthz and /readyz, its certificate under the renewer\'s file names, every node\'s URL', (service) => {
    const deployment = byKind('Deployment').find((manifest) => manifest.metadata.name === service)!;
    expect(deployment.spec).toMatchObject({ replicas: 2 });
    const budget = byKind('PodDisruptionBudget').find((manifest) => manifest.metadata.name === service);
    expect(budget?.spec).toMatchObject({ minAvailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': service } } });
    const [container] = podSpec(deployment).containers;
    expect([probePath(container!.livenessProbe), probePath(container!.readinessProbe)]).toEqual(['/healthz', '/readyz']);
    expect(certFiles(deployment)).toEqual(['ca.crt', `${service}.crt`, `${service}.key`].sort());
    expect(container!.env).toEqual(expect.arrayContaining([{ name: 'NATS_URL', value: NATS_URL }, { name: 'CERTS_DIR', value: '/estate/certs' }]));
  });

  it('S1: the provisioning job runs as the operator and asks for R3', () => {
    const [job] = byKind('Job');
    const [container] = podSpec(job!).containers;
    expect(container!.env).toEqual(expect.arrayContaining([{ name: 'JETSTREAM_REPLICAS', value: '3' }, { name: 'NATS_URL', value: NATS_URL }]));
    expect(certFiles(job!)).toEqual(['admin.crt', 'admin.key', 'ca.crt']);
  });
});

describe('NetworkPolicies against the permission table: no path NATS would refuse, every path it allows', () => {
  const network = new NetworkModel(manifests);
  const pods = podsOf(manifests);
  const nats = pods.find((pod) => pod.labels['app.kubernetes.io/name'] === 'nats')!;
  const identityOf = (pod: Pod): string | undefined => pod.labels['estate.local/identity'];
  const users = new Set(ESTATE_PERMISSIONS.map((entry) => entry.identity));

  it('every identity of the permission table has a pod that reaches the broker\'s client port', () => {
    for (const identity of users) {
      const pod = pods.find((candidate) => identityOf(candidate) === identity);
      expect({ identity, pod: pod?.name, reaches: pod !== undefined && network.allows(pod, nats, 4222) }).toEqual({ identity, pod: expect.any(String), reaches: true });
    }
  });

  it('only pods whose identity is a NATS user reach the broker at all; nothing from outside does', () => {
    for (const pod of pods) {
      const reaches = [4222, 6222, 8222].filter((port) => network.allows(pod, nats, port));
      const expected = pod === nats ? [6222] : users.has(identityOf(pod) as never) ? [4222] : [];
      expect({ pod: pod.name, reaches }).toEqual({ pod: pod.name, reaches: expected });
    }
    expect([4222, 6222, 8222].filter((port) => network.allows('outside', nats, port))).toEqual([]);
  });

  it('no service reaches another directly: every hop goes through the broker, where the table\'s subjects apply', () => {
    const direct = pods.flatMap((source) => pods.filter((target) => target !== source && target !== nats && source !== nats).flatMap((target) => target.ports.filter((port) => network.allows(source, target, port)).map((port) => `${source.name} -> ${target.name}:${port}`)));
    expect(direct).toEqual([]);
  });

  it('the edge alone is reachable from outside, on its HTTP port', () => {
    const open = pods.flatMap((pod) => pod.ports.filter((port) => network.allows('outside', pod, port)).map((port) => `${pod.name}:${port}`));
    expect(open).toEqual(['Deployment/edge:3000']);
  });
});
