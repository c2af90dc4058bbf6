import type { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { certificateFile, readCertificateKeyPair } from './certificate-key-pair.js';
import { EstateConfigError } from './estate-config-error.js';

/** The app's own certificate (with any intermediates), its private key and the estate CA, as PEM. */
export interface TlsIdentity {
  readonly cert: string;
  readonly key: string;
  readonly ca: string;
  readonly certFile: string;
  readonly keyFile: string;
  readonly caFile: string;
  readonly notAfter: Date;
}

interface Source {
  /** The variable the path came from (NATS_CERT, or CERTS_DIR when derived), for messages. */
  readonly variable: string;
  readonly path: string;
}

export interface TlsIdentitySources {
  readonly cert: Source;
  readonly key: Source;
  readonly ca: Source;
  readonly spiffeId: string;
  readonly now: Date;
  /**
   * How long a key that does not match the certificate is read again (a renewal between its two
   * renames) before it is refused: DEFAULT_PAIR_SETTLE_MS unless given; 0 reads once.
   */
  readonly pairSettleMs?: number;
}

function read(source: Source): string {
  try {
    return readFileSync(source.path, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new EstateConfigError(source.variable, `cannot read ${source.path} (${code})`, { cause });
  }
}

function uriSans(certificate: X509Certificate): string[] {
  // Node quotes SAN values that contain separators, so splitting on ", " is unambiguous.
  return (certificate.subjectAltName ?? '')
    .split(', ')
    .filter((entry) => entry.startsWith('URI:'))
    .map((entry) => entry.slice('URI:'.length));
}

function signedBy(child: X509Certificate, parent: X509Certificate): boolean {
  return child.checkIssued(parent) && child.verify(parent.publicKey);
}

/**
 * Reads the three files and checks, once at start-up, what would otherwise surface later as an
 * opaque TLS failure or a silent connect timeout: the certificate names this service (exactly
 * one URI SAN, equal to its SPIFFE ID), is within its validity period, matches the key, and
 * chains (through any intermediates in the same file) to the CA file. Key and certificate are read
 * as one pair (readCertificateKeyPair): a pair caught mid-renewal is read again until it matches,
 * never used mismatched.
 * Does not check revocation or key usages; the broker and the hop checks do.
 */
export function loadTlsIdentity(sources: TlsIdentitySources): TlsIdentity {
  const { certPem, keyPem, chain } = readCertificateKeyPair(sources.cert, sources.key, sources.pairSettleMs === undefined ? {} : { settleMs: sources.pairSettleMs });
  const caPem = read(sources.ca);
  const anchors = certificateFile(sources.ca, caPem);
  const leaf = chain[0]!;

  const uris = uriSans(leaf);
  if (uris.length !== 1 || uris[0] !== sources.spiffeId) {
    const found = uris.length === 0 ? 'no URI SAN' : uris.join(' and ');
    throw new EstateConfigError(sources.cert.variable, `${sources.cert.path} names ${found}, expected exactly ${sources.spiffeId}`);
  }
  const notBefore = new Date(leaf.validFrom);
  const notAfter = new Date(leaf.validTo);
  if (sources.now < notBefore) throw new EstateConfigError(sources.cert.variable, `${sources.cert.path} is not valid before ${notBefore.toISOString()}`);
  if (sources.now > notAfter) throw new EstateConfigError(sources.cert.variable, `${sources.cert.path} expired at ${notAfter.toISOString()}`);

  for (let i = 0; i + 1 < chain.length; i++) {
    if (!signedBy(chain[i]!, chain[i + 1]!)) {
      throw new EstateConfigError(sources.cert.variable, `${sources.cert.path}: certificate ${i + 1} is not signed by certificate ${i + 2}`);
    }
  }
  const top = chain[chain.length - 1]!;
  if (!anchors.some((anchor) => signedBy(top, anchor))) {
    throw new EstateConfigError(sources.cert.variable, `${sources.cert.path} is not issued by the CA in ${sources.ca.path} (${sources.ca.variable})`);
  }
  const identity = {
    cert: certPem,
    ca: caPem,
    certFile: sources.cert.path,
    keyFile: sources.key.path,
    caFile: sources.ca.path,
    notAfter,
  };
  // Not enumerable, so logging or serialising the configuration never prints the private key.
  Object.defineProperty(identity, 'key', { value: keyPem, enumerable: false });
  return Object.freeze(identity as typeof identity & { key: string });
}

/**
 * Reads the files of `identity` again (a renewer rewrote them) under the same rules as at start-up.
 * Throws EstateConfigError naming the file and the reason (never the content) when the new set is
 * not usable yet: a key that does not match the certificate (renewal half done), an unreadable or
 * truncated file, a certificate not yet or no longer valid, or one that does not chain to the bundle.
 * Reads the pair once, without waiting: the caller (IdentityWatcher) runs on the event loop, keeps
 * the identity in use while the pair does not match, and reads again when the certificate's
 * rename is reported or at its next poll.
 */
export function reloadTlsIdentity(identity: TlsIdentity, spiffeId: string, now: Date): TlsIdentity {
  return loadTlsIdentity({
    pairSettleMs: 0,
    cert: { variable: 'NATS_CERT', path: identity.certFile },
    key: { variable: 'NATS_KEY', path: identity.keyFile },
    ca: { variable: 'NATS_CA', path: identity.caFile },
    spiffeId,
    now,
  });
}

/** Whether two identities hold the same certificate, key and bundle (a rewrite with the same content). */
export function sameTlsIdentity(a: TlsIdentity, b: TlsIdentity): boolean {
  return a.cert === b.cert && a.key === b.key && a.ca === b.ca;
}
