import { createPrivateKey, X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { writeFileAtomically, type BeforeWriteHook } from './atomic-write.js';
import { readOptionalFile } from './ca-files.js';
import type { LeafSpec } from './estate-leaves.js';
import { issuedBy, splitPemCertificates } from './trust-bundle.js';

/**
 * A leaf's two files, `<name>.key` (PKCS#8, 0600) and `<name>.crt` (the leaf, then any
 * intermediates; 0644), as a workload reads them (NATS_KEY/NATS_CERT or CERTS_DIR).
 */
export interface LeafOnDisk {
  /** The leaf alone (the first certificate of `<name>.crt`). */
  readonly leafPem: string;
  readonly certificate: X509Certificate;
}

export function leafPaths(dir: string, name: string): { readonly certFile: string; readonly keyFile: string } {
  return { certFile: join(dir, `${name}.crt`), keyFile: join(dir, `${name}.key`) };
}

/**
 * The leaf on disk if it is a certificate the renewer could have issued and that still counts: a
 * matching pair, issued by one of `authorities`, naming the spec's identity, not yet expired.
 * Whether to keep it (issuer, lifetime, half-life) is the caller's business; a leaf found here
 * stays pinned until it expires even when it is replaced at once.
 */
export async function readLeafOnDisk(dir: string, spec: LeafSpec, authorities: readonly X509Certificate[], nowMs: number): Promise<LeafOnDisk | undefined> {
  const { certFile, keyFile } = leafPaths(dir, spec.name);
  try {
    const [chainPem, keyPem] = await Promise.all([readOptionalFile(certFile), readOptionalFile(keyFile)]);
    if (chainPem === undefined || keyPem === undefined) return undefined;
    const leafPem = splitPemCertificates(chainPem)[0];
    if (leafPem === undefined) return undefined;
    const certificate = new X509Certificate(leafPem);
    if (!certificate.checkPrivateKey(createPrivateKey(keyPem))) return undefined;
    if (!authorities.some((ca) => issuedBy(certificate, ca))) return undefined;
    if (new Date(certificate.validTo).getTime() <= nowMs) return undefined;
    return namesMatch(certificate, spec) ? { leafPem, certificate } : undefined;
  } catch {
    return undefined; // unreadable, unparsable or foreign: issue a new one
  }
}

function namesMatch(certificate: X509Certificate, spec: LeafSpec): boolean {
  const sans = (certificate.subjectAltName ?? '').split(', ');
  const uris = sans.filter((entry) => entry.startsWith('URI:'));
  return spec.usage === 'client' ? uris.length === 1 && uris[0] === `URI:${spec.spiffeId}` : sans.includes('DNS:localhost');
}

/**
 * Key first, then certificate, each replaced atomically. A reader between the two sees the new
 * key with the old certificate, which checkPrivateKey refuses: it keeps what it has and waits
 * for the next change. It never sees half a file.
 */
export async function writeLeafFiles(dir: string, name: string, keyPem: string, chainPem: string, beforeWrite: BeforeWriteHook | undefined): Promise<void> {
  const { certFile, keyFile } = leafPaths(dir, name);
  const hook = beforeWrite === undefined ? {} : { beforeWrite };
  await writeFileAtomically(keyFile, keyPem, { mode: 0o600, ...hook });
  await writeFileAtomically(certFile, chainPem, { mode: 0o644, ...hook });
}
