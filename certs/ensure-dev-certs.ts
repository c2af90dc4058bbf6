import { X509Certificate, createPrivateKey } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ESTATE_LEAVES, type LeafSpec } from './estate-leaves.js';
import { createCertificateAuthority, issueCertificate, loadCertificateAuthority, type Authority, type KeyAlgorithm } from './pki.js';

/**
 * Makes certs/out/ hold a usable estate PKI, idempotently: the CA (`ca.crt`, `ca.key`), the
 * broker's server certificate (`nats`) and one client certificate per identity (`edge`, `sts`,
 * `orders`, `inventory`, `admin`). What is present and still valid is kept; what is missing,
 * broken, foreign or about to expire is issued again. Private keys are written 0600.
 */
export interface DevCertsOptions {
  readonly dir: string;
  readonly caValidityDays: number;
  readonly leafValidityDays: number;
  readonly keyAlgorithm: KeyAlgorithm;
  readonly now?: Date;
}

export type DevCertAction = 'kept' | 'created' | 'renewed';

export interface DevCertOutcome {
  readonly name: string;
  readonly action: DevCertAction;
  readonly notAfter: Date;
}

/** The CA on disk; its key is loaded only when something needs issuing (it may be absent). */
interface CaState {
  readonly certificate: X509Certificate;
  readonly authority: () => Promise<Authority>;
  readonly outcome: DevCertOutcome;
}

const DAY_MS = 86_400_000; // milliseconds
/** Renew a day before expiry, or at two thirds of a lifetime shorter than three days. */
const MAX_RENEW_MARGIN_MS = DAY_MS;

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Write-then-rename, so an interrupted run never leaves half a key or certificate behind. */
async function writeAtomically(path: string, content: string, mode: number): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, content, { mode });
  await chmod(temporary, mode);
  await rename(temporary, path);
}

function renewMargin(validityDays: number): number {
  return Math.min(MAX_RENEW_MARGIN_MS, (validityDays * DAY_MS) / 3);
}

function usable(certificate: X509Certificate, now: Date, marginMs: number): boolean {
  return new Date(certificate.validFrom) <= now && new Date(certificate.validTo).getTime() - marginMs > now.getTime();
}

/** Is the leaf on disk still what we would issue: ours, valid, with its key and its name? */
function keepable(certPem: string, keyPem: string, ca: X509Certificate, spec: LeafSpec, now: Date, marginMs: number): boolean {
  try {
    const leaf = new X509Certificate(certPem);
    if (!leaf.checkIssued(ca) || !leaf.verify(ca.publicKey)) return false;
    if (!leaf.checkPrivateKey(createPrivateKey(keyPem))) return false;
    if (!usable(leaf, now, marginMs)) return false;
    const sans = (leaf.subjectAltName ?? '').split(', ');
    const uris = sans.filter((entry) => entry.startsWith('URI:'));
    return spec.usage === 'client' ? uris.length === 1 && uris[0] === `URI:${spec.spiffeId}` : sans.includes('DNS:localhost');
  } catch {
    return false;
  }
}

async function ensureAuthority(options: DevCertsOptions, now: Date): Promise<CaState> {
  const certPath = join(options.dir, 'ca.crt');
  const keyPath = join(options.dir, 'ca.key');
  const certPem = await readOptional(certPath);
  if (certPem === undefined) {
    const created = await createCertificateAuthority({ validityDays: options.caValidityDays, keyAlgorithm: options.keyAlgorithm });
    await writeAtomically(keyPath, created.privateKeyPem, 0o600);
    await writeAtomically(certPath, created.certificatePem, 0o644);
    const certificate = new X509Certificate(created.certificatePem);
    return { authority: async () => created, certificate, outcome: { name: 'ca', action: 'created', notAfter: created.notAfter } };
  }
  const certificate = new X509Certificate(certPem);
  // Never replace a CA that is there: it may be one you brought, and every leaf depends on it.
  if (!usable(certificate, now, renewMargin(options.caValidityDays))) {
    throw new Error(`${certPath} is expired or expires within a day (${certificate.validTo}): remove ca.crt and ca.key to generate a new CA (every certificate is then issued again), or put your own CA there`);
  }
  let loaded: Promise<Authority> | undefined;
  const authority = (): Promise<Authority> => {
    loaded ??= readOptional(keyPath).then((keyPem) => {
      if (keyPem === undefined) throw new Error(`${keyPath} is missing: a certificate needs issuing and only the CA key can sign it`);
      return loadCertificateAuthority(certPem, keyPem);
    });
    return loaded;
  };
  return { authority, certificate, outcome: { name: 'ca', action: 'kept', notAfter: new Date(certificate.validTo) } };
}

async function ensureLeaf(spec: LeafSpec, options: DevCertsOptions, ca: CaState, now: Date): Promise<DevCertOutcome> {
  const certPath = join(options.dir, `${spec.name}.crt`);
  const keyPath = join(options.dir, `${spec.name}.key`);
  const certPem = await readOptional(certPath);
  const keyPem = await readOptional(keyPath);
  if (certPem !== undefined && keyPem !== undefined && keepable(certPem, keyPem, ca.certificate, spec, now, renewMargin(options.leafValidityDays))) {
    await chmod(keyPath, 0o600);
    return { name: spec.name, action: 'kept', notAfter: new Date(new X509Certificate(certPem).validTo) };
  }
  const authority = await ca.authority();
  const notAfter = new Date(Math.min(now.getTime() + options.leafValidityDays * DAY_MS, authority.notAfter.getTime()));
  const issued = await issueCertificate(authority, {
    commonName: spec.name,
    usage: spec.usage,
    notAfter,
    keyAlgorithm: options.keyAlgorithm,
    ...(spec.spiffeId === undefined ? {} : { spiffeId: spec.spiffeId }),
  });
  await writeAtomically(keyPath, issued.privateKeyPem, 0o600);
  await writeAtomically(certPath, issued.certificatePem, 0o644);
  return { name: spec.name, action: certPem === undefined ? 'created' : 'renewed', notAfter };
}

export async function ensureDevCertificates(options: DevCertsOptions): Promise<DevCertOutcome[]> {
  const now = options.now ?? new Date();
  await mkdir(options.dir, { recursive: true, mode: 0o700 });
  const ca = await ensureAuthority(options, now);
  const outcomes: DevCertOutcome[] = [ca.outcome];
  for (const spec of ESTATE_LEAVES) outcomes.push(await ensureLeaf(spec, options, ca, now));
  return outcomes;
}
