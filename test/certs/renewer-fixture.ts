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
 * second, with every change and log line recorded (and the clock's time of each change).
 */
export interface RenewerFixture {
  readonly dir: string;
  readonly clock: ManualClock;
  readonly renewer: CertificateRenewer;
  readonly changes: Array<CertificateChange & { readonly atMs: number }>;
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
  const changes: Array<CertificateChange & { readonly atMs: number }> = [];
  const logs: string[] = [];
  const make = (overrides: Partial<CertificateRenewerOptions>): CertificateRenewer =>
    new CertificateRenewer({
      dir,
      leafTtlSeconds: 30,
      caTtlSeconds: 3_600,
      clock,
      log: (level, message) => logs.push(`${level}: ${message}`),
      onChange: (change) => {
        changes.push({ ...change, atMs: clock.now() });
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
