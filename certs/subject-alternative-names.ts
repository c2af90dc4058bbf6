import { spiffeIdProblem } from '#binding/core';

/**
 * The subjectAltName of a leaf (ARCHITECTURE.md "Identities"): a workload's one URI SAN, its
 * SPIFFE ID; the broker's host names and addresses.
 */
export interface JsonGeneralName {
  readonly type: 'url' | 'dns' | 'ip';
  readonly value: string;
}

/** Server default: localhost and `nats` (the compose host name). */
export const DEFAULT_SERVER_DNS_NAMES: readonly string[] = Object.freeze(['localhost', 'nats']);
export const DEFAULT_SERVER_IP_ADDRESSES: readonly string[] = Object.freeze(['127.0.0.1', '::1']);

/** What of a leaf's options names it (pki.ts CertificateOptions has these members, documented there). */
export interface AlternativeNameOptions {
  readonly usage: 'client' | 'server' | 'route';
  readonly spiffeId?: string;
  readonly extraUriSans?: readonly string[];
  readonly dnsNames?: readonly string[];
  readonly ipAddresses?: readonly string[];
}

export function alternativeNames(options: AlternativeNameOptions): JsonGeneralName[] {
  const server = options.usage !== 'client'; // server and route leaves name hosts
  const uris = [...(options.spiffeId === undefined ? [] : [spiffeUri(options.spiffeId)]), ...(options.extraUriSans ?? [])];
  const dns = options.dnsNames ?? (server ? DEFAULT_SERVER_DNS_NAMES : []);
  const ips = options.ipAddresses ?? (server ? DEFAULT_SERVER_IP_ADDRESSES : []);
  return [
    ...uris.map((value): JsonGeneralName => ({ type: 'url', value })),
    ...dns.map((value): JsonGeneralName => ({ type: 'dns', value })),
    ...ips.map((value): JsonGeneralName => ({ type: 'ip', value })),
  ];
}

/**
 * A leaf names a workload SPIFFE ID under the library's one rule (spiffeIdProblem, which the
 * verifiers apply to it at H3), so the estate never issues a certificate its verifiers refuse.
 */
function spiffeUri(value: string): string {
  const problem = spiffeIdProblem(value);
  if (problem !== undefined) throw new TypeError(`not a SPIFFE ID: "${value}": it ${problem}`);
  return value;
}
