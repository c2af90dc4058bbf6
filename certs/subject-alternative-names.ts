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

/** A SPIFFE ID is spiffe://<trust domain>/<path>, nothing else (SPIFFE ID spec §2). */
function spiffeUri(value: string): string {
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (url?.protocol !== 'spiffe:' || url.hostname === '' || url.port !== '' || url.username !== '' || url.search !== '' || url.hash !== '' || url.pathname.length < 2) {
    throw new TypeError(`not a SPIFFE ID: "${value}"`);
  }
  return value;
}
