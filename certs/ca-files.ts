import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadCertificateAuthority } from './load-authority.js';
import type { Authority } from './pki.js';
import { splitPemCertificates } from './trust-bundle.js';

/**
 * The CA side of a certs folder:
 * - `ca.crt`: the trust bundle, every CA a workload or the broker must trust (two during a rollover);
 * - `ca.key`: the key of the CA that issues now (0600);
 * - `ca-next.key`: during a rollover only, the key of the CA that entered the bundle and does not
 *   issue yet (0600). When the propagation delay has passed it is renamed over `ca.key`, which
 *   deletes the old CA's key: from then on nothing needs it, its certificate stays in the bundle
 *   until its last leaf expires.
 */
export const CA_BUNDLE_FILE = 'ca.crt';
export const CA_KEY_FILE = 'ca.key';
export const NEXT_CA_KEY_FILE = 'ca-next.key';

export async function readOptionalFile(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** The bundle's CA certificates as PEM texts; empty when there is no `ca.crt`. */
export async function readTrustBundle(dir: string): Promise<string[]> {
  return splitPemCertificates((await readOptionalFile(join(dir, CA_BUNDLE_FILE))) ?? '');
}

/** Which certificate of the bundle `keyPem` belongs to, or undefined. */
export function certificateOfKey(bundle: readonly string[], keyPem: string): string | undefined {
  const key = createPrivateKey(keyPem);
  return bundle.find((pem) => {
    const certificate = new X509Certificate(pem);
    return certificate.publicKey.asymmetricKeyType === key.asymmetricKeyType && certificate.checkPrivateKey(key);
  });
}

/**
 * The authority whose key is in `<dir>/<keyFile>`, its certificate taken from the bundle. Read
 * from disk at every use, so a key that became unreadable is a failed renewal (retried and
 * reported), and a key an operator put there is used at once. Errors name the file and the
 * reason, never the key.
 */
export async function loadAuthorityFromFiles(dir: string, bundle: readonly string[], keyFile: string): Promise<Authority> {
  let keyPem: string | undefined;
  try {
    keyPem = await readOptionalFile(join(dir, keyFile));
  } catch (error) {
    throw new Error(`${keyFile} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { cause: error });
  }
  if (keyPem === undefined) throw new Error(`${keyFile} is missing: only the CA key can sign a renewal`);
  let certificatePem: string | undefined;
  try {
    certificatePem = certificateOfKey(bundle, keyPem);
  } catch (error) {
    throw new Error(`${keyFile} is not a usable private key`, { cause: error });
  }
  if (certificatePem === undefined) throw new Error(`${keyFile} matches no CA certificate in ${CA_BUNDLE_FILE}`);
  return loadCertificateAuthority(certificatePem, keyPem);
}
