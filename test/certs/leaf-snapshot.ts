import { createPrivateKey, X509Certificate } from 'node:crypto';
import { copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CertificateFiles } from '../../test-support/estate-fabric.js';

/** A workload's key, certificate and bundle as it read them at one moment. */
export interface LeafSnapshot extends CertificateFiles {
  readonly certificate: X509Certificate;
}

/**
 * Copies an identity's live key, certificate and trust bundle into `into` under `label`, as a
 * workload that read them then would still hold them after later renewals. A copy taken between
 * the key and the certificate of a renewal does not match: it is taken again.
 */
export async function snapshotLeaf(live: CertificateFiles, into: string, label: string): Promise<LeafSnapshot> {
  for (;;) {
    const files = { certFile: join(into, `${label}.crt`), keyFile: join(into, `${label}.key`), caFile: join(into, `${label}-ca.crt`) };
    await copyFile(live.keyFile, files.keyFile);
    await copyFile(live.certFile, files.certFile);
    await copyFile(live.caFile, files.caFile);
    const certificate = new X509Certificate(await readFile(files.certFile));
    if (certificate.checkPrivateKey(createPrivateKey(await readFile(files.keyFile)))) return { ...files, certificate };
  }
}
