import { readFile } from 'node:fs/promises';

/**
 * The supervisor's guard on the pins file (`tls { include "<pinsFile>" }`, render-nats-config.ts)
 * that the certificate renewer writes (certs/): `pinned_certs: ["<hex SHA-256 of SPKI DER>", ...]`.
 * nats-server reads an empty `pinned_certs` list as "no pinning at all" (server/opts.go keeps the
 * set nil; server/auth.go matchesPinnedCert then admits everyone), so a file that pins nothing
 * would silently open the broker to every certificate of the CA. The renewer never writes one
 * (it lists an unmatchable all-zero pin instead); this check makes sure of it before every start
 * and reload. Does not check that the pins name the right keys: the renewer decides that.
 */
export async function assertPinsFilePinsSomething(path: string): Promise<void> {
  const text = await readFile(path, 'utf8');
  const list = /pinned_certs\s*[:=]?\s*\[([^\]]*)\]/.exec(text);
  const pins = [...(list?.[1] ?? '').matchAll(/"([0-9A-Fa-f]{64})"/g)];
  if (pins.length === 0) throw new Error(`${path} pins no key: nats-server would read it as no pinning at all; refusing to use it`);
}
