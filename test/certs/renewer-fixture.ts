import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CertificateChange } from '../../certs/certificate-change.js';
import { CertificateRenewer } from '../../certs/certificate-renewer.js';
import type { CertificateRenewerOptions } from '../../certs/renewer-settings.js';
import { splitPemCertificates } from '../../certs/trust-bundle.js';
import { ManualClock } from './manual-clock.js';

/**
 * A renewer on a fresh temporary certs folder, driven by a manual clock that starts on a whole
 * second, with every change and log line recorded: the clock's time of each change, the CAs
 * (subjects) `ca.crt` held when it was reported, and for a leaf the CA that issued it.
 */
export type ObservedChange = CertificateChange & { readonly atMs: number; readonly bundle: readonly string[]; readonly issuer?: string };

export interface RenewerFixture {
  readonly dir: string;
  readonly clock: ManualClock;
  readonly renewer: CertificateRenewer;
  readonly changes: ObservedChange[];
  readonly logs: string[];
  advance(ms: number): Promise<void>;
  advanceTo(atMs: number): Promise<void>;
  /** A second renewer on the same folder and clock (the first must be stopped). */
  restart(options?: Partial<CertificateRenewerOptions>): Promise<CertificateRenewer>;
  cleanup(): Promise<void>;
}

export async function startRenewerFixture(options: Partial<CertificateRenewerOptions> = {}): Promise<RenewerFixture> {
  const root = await mkdtemp(join(tmpdir(), 'estate-renewer-'));
  const dir = join(root, 'out');
  const clock = new ManualClock(Math.floor(Date.now() / 1_000) * 1_000);
  const changes: ObservedChange[] = [];
  const logs: string[] = [];
  const make = (overrides: Partial<CertificateRenewerOptions>): CertificateRenewer =>
    new CertificateRenewer({
      dir,
      leafTtlSeconds: 30,
      caTtlSeconds: 3_600,
      clock,
      log: (level, message) => logs.push(`${level}: ${message}`),
      onChange: async (change) => {
        const atMs = clock.now();
        const bundle = (await bundleCertificates(dir)).map((certificate) => certificate.subject);
        const issuer = change.kind === 'leaf' ? (await leafCertificate(dir, change.name)).issuer : undefined;
        changes.push({ ...change, atMs, bundle, ...(issuer === undefined ? {} : { issuer }) });
      },
      ...options,
      ...overrides,
    });
  let renewer = make({});
  await renewer.start();
  return {
    dir,
    clock,
    get renewer() {
      return renewer;
    },
    changes,
    logs,
    advance: (ms) => clock.advance(ms, () => renewer.idle()),
    advanceTo: (atMs) => clock.advanceTo(atMs, () => renewer.idle()),
    restart: async (overrides = {}) => {
      renewer = make(overrides);
      await renewer.start();
      return renewer;
    },
    cleanup: async () => {
      await renewer.stop();
      await rm(root, { recursive: true, force: true });
    },
  };
}

export async function leafCertificate(dir: string, name: string): Promise<X509Certificate> {
  return new X509Certificate(splitPemCertificates(await readFile(join(dir, `${name}.crt`), 'utf8'))[0]!);
}

export async function bundleCertificates(dir: string): Promise<X509Certificate[]> {
  return splitPemCertificates(await readFile(join(dir, 'ca.crt'), 'utf8')).map((pem) => new X509Certificate(pem));
}

/** Is `<name>.key` the key of `<name>.crt`? */
export async function pairMatches(dir: string, name: string): Promise<boolean> {
  const certificate = await leafCertificate(dir, name);
  return certificate.checkPrivateKey(createPrivateKey(await readFile(join(dir, `${name}.key`), 'utf8')));
}

/** Leftover temporary files of interrupted writes. */
export async function temporaryFiles(dir: string): Promise<string[]> {
  const top = await readdir(dir);
  const issued = await readdir(join(dir, 'issued')).catch(() => []);
  return [...top, ...issued].filter((file) => file.endsWith('.tmp'));
}

export function notAfterMs(certificate: X509Certificate): number {
  return new Date(certificate.validTo).getTime();
}

export function notBeforeMs(certificate: X509Certificate): number {
  return new Date(certificate.validFrom).getTime();
}
