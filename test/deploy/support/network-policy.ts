import type { Manifest } from './kustomization.js';

/**
 * NetworkPolicy semantics (networking.k8s.io/v1) over the pods a deployment declares, for one
 * namespace: a pod selected by a policy of a type is isolated for that direction, and a connection
 * passes when the source's egress and the destination's ingress both allow it. Peers by
 * podSelector are pods of this namespace; a namespaceSelector peer names other namespaces and an
 * ipBlock peer addresses outside the cluster (the estate's pods are never in them).
 */
export interface Pod {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly ports: readonly number[];
}

interface Selector {
  readonly matchLabels?: Record<string, string>;
  readonly matchExpressions?: { key: string; operator: string; values?: string[] }[];
}
interface Peer {
  readonly podSelector?: Selector;
  readonly namespaceSelector?: Selector;
  readonly ipBlock?: unknown;
}
interface Rule {
  readonly from?: Peer[];
  readonly to?: Peer[];
  readonly ports?: { port?: number | string; protocol?: string }[];
}
interface PolicySpec {
  readonly podSelector: Selector;
  readonly policyTypes?: string[];
  readonly ingress?: Rule[];
  readonly egress?: Rule[];
}

export function matches(selector: Selector, labels: Readonly<Record<string, string>>): boolean {
  const byLabel = Object.entries(selector.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
  const byExpression = (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
    if (operator === 'In') return labels[key] !== undefined && values.includes(labels[key]!);
    if (operator === 'NotIn') return labels[key] === undefined || !values.includes(labels[key]!);
    if (operator === 'Exists') return labels[key] !== undefined;
    if (operator === 'DoesNotExist') return labels[key] === undefined;
    throw new Error(`unknown selector operator ${operator}`);
  });
  return byLabel && byExpression;
}

/** The pods of every workload controller (their template's labels and container ports). */
export function podsOf(manifests: readonly Manifest[]): Pod[] {
  const controllers = manifests.filter((manifest) => ['Deployment', 'StatefulSet', 'Job'].includes(manifest.kind));
  return controllers.map((manifest) => {
    const template = (manifest.spec as { template: { metadata?: { labels?: Record<string, string> }; spec: { containers: { ports?: { containerPort: number }[] }[] } } }).template;
    return { name: `${manifest.kind}/${manifest.metadata.name}`, labels: template.metadata?.labels ?? {}, ports: template.spec.containers.flatMap((container) => (container.ports ?? []).map((port) => port.containerPort)) };
  });
}

export class NetworkModel {
  readonly #policies: PolicySpec[];

  constructor(manifests: readonly Manifest[]) {
    this.#policies = manifests.filter((manifest) => manifest.kind === 'NetworkPolicy').map((manifest) => manifest.spec as unknown as PolicySpec);
  }

  /** Whether `source` (a pod, or 'outside' the cluster) may open a TCP connection to `target` on `port`. */
  allows(source: Pod | 'outside', target: Pod, port: number): boolean {
    const egress = source === 'outside' || this.#permitted('Egress', source, (rule) => this.#peersAdmit(rule.to, target), port);
    const ingress = this.#permitted('Ingress', target, (rule) => this.#peersAdmit(rule.from, source), port);
    return egress && ingress;
  }

  #permitted(type: 'Ingress' | 'Egress', pod: Pod, peerOk: (rule: Rule) => boolean, port: number): boolean {
    const selecting = this.#policies.filter((policy) => matches(policy.podSelector, pod.labels) && (policy.policyTypes ?? ['Ingress']).includes(type));
    if (selecting.length === 0) return true; // not isolated in this direction
    return selecting.some((policy) => ((type === 'Ingress' ? policy.ingress : policy.egress) ?? []).some((rule) => peerOk(rule) && portOk(rule, port)));
  }

  #peersAdmit(peers: Peer[] | undefined, other: Pod | 'outside'): boolean {
    if (peers === undefined || peers.length === 0) return true; // every peer
    return peers.some((peer) => {
      if (other === 'outside') return peer.ipBlock !== undefined;
      if (peer.ipBlock !== undefined || peer.namespaceSelector !== undefined) return false;
      return peer.podSelector !== undefined && matches(peer.podSelector, other.labels);
    });
  }
}

function portOk(rule: Rule, port: number): boolean {
  return rule.ports === undefined || rule.ports.length === 0 || rule.ports.some((entry) => entry.port === undefined || entry.port === port);
}
