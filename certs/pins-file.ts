/**
 * `<certs dir>/nats-pins.conf`: exactly one nats-server configuration line,
 * `pinned_certs: ["<hex SHA-256 of SPKI DER>", ...]`, which the broker's `tls {}` block includes.
 * On reload (SIGHUP) nats-server 2.15 closes every client connection whose leaf key is no longer
 * listed (server/reload.go recheckPinnedCerts): that is how an expired or revoked workload
 * certificate loses its broker connection (SECURITY.md L5), since the broker checks expiry only
 * at the handshake.
 */
export const PINS_FILE = 'nats-pins.conf';

/**
 * nats-server reads an empty `pinned_certs` list as "no pinning" (opts.go parseTLS keeps the set
 * nil), which would admit every certificate of the CA. With nothing to pin, the file lists this
 * instead, which no key hashes to in practice, so the broker fails closed.
 */
export const NO_PIN = '0'.repeat(64);

export function renderPinsFile(pins: readonly string[]): string {
  for (const pin of pins) {
    if (!/^[0-9a-f]{64}$/.test(pin)) throw new TypeError(`not a hex SHA-256 SPKI pin: "${pin}"`);
  }
  const listed = pins.length === 0 ? [NO_PIN] : pins;
  return `pinned_certs: [${listed.map((pin) => `"${pin}"`).join(', ')}]\n`;
}
