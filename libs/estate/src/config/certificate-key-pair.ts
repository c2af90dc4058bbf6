import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { EstateConfigError } from './estate-config-error.js';

/**
 * How long a reader keeps re-reading a key and certificate that do not match before it gives up.
 * A renewer (certs/certificate-renewer.ts, spiffe-helper, cert-manager) replaces the key, then the
 * certificate, each by rename: a reader between the two renames sees the new key with the old
 * certificate, a state that lasts as long as writing and fsyncing one certificate file, i.e.
 * milliseconds. Two seconds leaves room for a loaded machine; a pair that still does not match
 * after that is a real mistake (a wrong key), reported with both file names.
 */
export const DEFAULT_PAIR_SETTLE_MS = 2_000; // milliseconds
/** The pause between two reads of a pair that did not match. */
export const PAIR_REREAD_MS = 20; // milliseconds

/** A file and the variable its path came from (NATS_CERT, NATS_KEY, CERTS_DIR ...), for messages. */
export interface PairFile {
  readonly variable: string;
  readonly path: string;
}

/** A certificate file (the leaf, then any intermediates) and the private key of its leaf, read as one consistent pair. */
export interface CertificateKeyPair {
  readonly certPem: string;
  readonly keyPem: string;
  /** The certificates of the certificate file, leaf first. */
  readonly chain: readonly X509Certificate[];
  readonly privateKey: KeyObject;
}

export interface ReadPairOptions {
  /** Re-read a mismatched pair for this long (default DEFAULT_PAIR_SETTLE_MS); 0: read once. */
  readonly settleMs?: number;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

type Attempt = CertificateKeyPair | 'mismatch';

/**
 * SECURITY.md L1/L6, the reading side of a renewal: the one way the estate reads a workload's key
 * and certificate (start-up identity of every workload, the edge and the STS, and with it the hop
 * signer and the NATS TLS options; the renewer service's hand-out). Reads both files and checks
 * that the key is the private key of the certificate's leaf. When it is not (a renewal between its
 * two renames), it reads both again after PAIR_REREAD_MS, for at most `settleMs`; if the pair
 * never matches it throws an EstateConfigError naming both files (never their content). A
 * mismatched pair is never returned. An unreadable file, or one holding no certificate or no
 * usable key, fails at once: files replaced by rename are never seen half written.
 *
 * Synchronous (the waits block): configuration is loaded synchronously at start-up, before
 * anything else runs in the process. A reader in the same process as the writer, or one that must
 * not block, uses readCertificateKeyPairAsync, which follows the same rules.
 */
export function readCertificateKeyPair(cert: PairFile, key: PairFile, options: ReadPairOptions = {}): CertificateKeyPair {
  const settleMs = options.settleMs ?? DEFAULT_PAIR_SETTLE_MS;
  const deadline = performance.now() + settleMs;
  for (;;) {
    const attempt = attemptPair(cert, key, readTextSync(cert), readTextSync(key));
    if (attempt !== 'mismatch') return attempt;
    if (performance.now() >= deadline) throw neverMatched(cert, key, settleMs);
    blockFor(PAIR_REREAD_MS);
  }
}

/** readCertificateKeyPair, waiting without blocking the event loop (a writer in the same process can finish meanwhile). */
export async function readCertificateKeyPairAsync(cert: PairFile, key: PairFile, options: ReadPairOptions = {}): Promise<CertificateKeyPair> {
  const settleMs = options.settleMs ?? DEFAULT_PAIR_SETTLE_MS;
  const deadline = performance.now() + settleMs;
  for (;;) {
    const [certPem, keyPem] = await Promise.all([readText(cert), readText(key)]);
    const attempt = attemptPair(cert, key, certPem, keyPem);
    if (attempt !== 'mismatch') return attempt;
    if (performance.now() >= deadline) throw neverMatched(cert, key, settleMs);
    await sleep(PAIR_REREAD_MS);
  }
}

/** One read of both files: the pair, or 'mismatch' when the key is not the leaf's. */
function attemptPair(cert: PairFile, key: PairFile, certText: string, keyText: string): Attempt {
  const chain = certificateFile(cert, certText);
  const privateKey = parsePrivateKey(key, keyText);
  if (!chain[0]!.checkPrivateKey(privateKey)) return 'mismatch';
  return Object.freeze({ certPem: certText, keyPem: keyText, chain: Object.freeze(chain), privateKey });
}

function readTextSync(file: PairFile): string {
  try {
    return readFileSync(file.path, 'utf8');
  } catch (cause) {
    throw unreadable(file, cause);
  }
}

function neverMatched(cert: PairFile, key: PairFile, settleMs: number): EstateConfigError {
  const waited = settleMs > 0 ? ` (re-read for ${settleMs} ms: not a renewal in progress)` : '';
  return new EstateConfigError(key.variable, `${key.path} does not match the certificate ${cert.path}${waited}`);
}

async function readText(file: PairFile): Promise<string> {
  try {
    return await readFile(file.path, 'utf8');
  } catch (cause) {
    throw unreadable(file, cause);
  }
}

function unreadable(file: PairFile, cause: unknown): EstateConfigError {
  const code = (cause as NodeJS.ErrnoException).code ?? 'unreadable';
  return new EstateConfigError(file.variable, `cannot read ${file.path} (${code})`, { cause });
}

/** The certificates of a PEM file (leaf or bundle), in order; an EstateConfigError naming the file when there are none or one does not parse. */
export function certificateFile(file: PairFile, pem: string): X509Certificate[] {
  const blocks = pem.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) throw new EstateConfigError(file.variable, `${file.path} holds no PEM certificate`);
  try {
    return blocks.map((block) => new X509Certificate(block));
  } catch (cause) {
    throw new EstateConfigError(file.variable, `${file.path} holds an unparsable certificate`, { cause });
  }
}

function parsePrivateKey(file: PairFile, pem: string): KeyObject {
  try {
    return createPrivateKey(pem);
  } catch (cause) {
    // Never echo the file's content: it is a private key.
    throw new EstateConfigError(file.variable, `${file.path} holds no usable private key`, { cause });
  }
}

const SLEEPER = new Int32Array(new SharedArrayBuffer(4));

function blockFor(ms: number): void {
  Atomics.wait(SLEEPER, 0, 0, ms);
}
