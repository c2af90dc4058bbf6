import { afterEach, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NO_PIN, renderPinsFile } from '../../certs/pins-file.js';
import { certificateThumbprint, spkiPin } from '../../certs/spki-pin.js';
import { leafCertificate, notAfterMs, startRenewerFixture, type RenewerFixture } from './renewer-fixture.js';

// SECURITY.md L5 at the broker: nats-pins.conf lists the SPKI pin of every client leaf that is
// neither expired nor revoked; the broker, reloaded on each change, closes the connections whose
// key left it. Here, the file's content and timing; the broker's side is broker-pins.spec.ts.

const CLIENTS = ['edge', 'sts', 'orders', 'inventory', 'admin'];
let fixture: RenewerFixture | undefined;

afterEach(async () => {
  await fixture?.cleanup();
  fixture = undefined;
});

async function pinsOnDisk(dir: string): Promise<string[]> {
  const text = await readFile(join(dir, 'nats-pins.conf'), 'utf8');
  expect(text).toMatch(/^pinned_certs: \[("[0-9a-f]{64}"(, )?)*\]\n$/);
  return [...text.matchAll(/"([0-9a-f]{64})"/g)].map((match) => match[1]!);
}

async function pinOf(dir: string, name: string): Promise<string> {
  return spkiPin((await leafCertificate(dir, name)).toString());
}

describe('spkiPin', () => {
  it('L5: is the hex SHA-256 of the SubjectPublicKeyInfo DER, as nats-server computes it (cross-checked with openssl)', async () => {
    fixture = await startRenewerFixture();
    const pem = (await leafCertificate(fixture.dir, 'orders')).toString();
    const spki = execFileSync('sh', ['-c', 'openssl x509 -noout -pubkey | openssl pkey -pubin -outform DER'], { input: pem });
    expect(spkiPin(pem)).toBe(createHash('sha256').update(spki).digest('hex'));
  });

  it('L5: an empty pin list is written as an unmatchable pin, because nats-server reads [] as no pinning at all', () => {
    expect(renderPinsFile([])).toBe(`pinned_certs: ["${NO_PIN}"]\n`);
    expect(() => renderPinsFile(['"]; } authorization { users: []'])).toThrow(/not a hex SHA-256 SPKI pin/);
  });
});

describe('CertificateRenewer: broker pins (L5)', () => {
  it('L5: every client leaf is pinned, the admin identity included; the broker\'s own server leaf is not', async () => {
    fixture = await startRenewerFixture();
    const expected = await Promise.all(CLIENTS.map((name) => pinOf(fixture!.dir, name)));
    expect(await pinsOnDisk(fixture.dir)).toEqual([...expected].sort());
    expect(await pinsOnDisk(fixture.dir)).not.toContain(await pinOf(fixture.dir, 'nats'));
    expect(fixture.renewer.status().pins).toBe(5);
  });

  it('L5: a superseded leaf stays pinned until its notAfter, and its pin goes at that very moment', async () => {
    fixture = await startRenewerFixture();
    const first = await leafCertificate(fixture.dir, 'orders');
    const firstPin = spkiPin(first.toString());
    await fixture.advanceTo(fixture.renewer.status().leaves['orders']!.nextRenewal!.getTime());
    const second = await pinOf(fixture.dir, 'orders');
    expect(second).not.toBe(firstPin);
    expect(await pinsOnDisk(fixture.dir)).toEqual(expect.arrayContaining([firstPin, second]));
    await fixture.advanceTo(notAfterMs(first) - 1);
    expect(await pinsOnDisk(fixture.dir)).toContain(firstPin);
    await fixture.advanceTo(notAfterMs(first));
    expect(await pinsOnDisk(fixture.dir)).not.toContain(firstPin);
    expect(await pinsOnDisk(fixture.dir)).toContain(second);
    expect(fixture.changes.filter((change) => change.kind === 'pins' && change.atMs === notAfterMs(first))).toHaveLength(1);
    // Its public certificate leaves the ledger with it.
    await expect(readFile(join(fixture.dir, 'issued', `${certificateThumbprint(first.raw)}.crt`))).rejects.toThrow(/ENOENT/);
  });

  it('L5: revoke(x5t#S256) unpins the leaf at once and re-issues it; an unknown thumbprint is not known', async () => {
    fixture = await startRenewerFixture();
    const orders = await leafCertificate(fixture.dir, 'orders');
    const revokedPin = spkiPin(orders.toString());
    const pinChanges = fixture.changes.filter((change) => change.kind === 'pins').length;
    expect(await fixture.renewer.revoke(certificateThumbprint(orders.raw))).toBe(true);
    expect(await pinsOnDisk(fixture.dir)).not.toContain(revokedPin);
    const replacement = await leafCertificate(fixture.dir, 'orders');
    expect(certificateThumbprint(replacement.raw)).not.toBe(certificateThumbprint(orders.raw));
    expect(await pinsOnDisk(fixture.dir)).toContain(spkiPin(replacement.toString()));
    expect(fixture.changes.filter((change) => change.kind === 'pins').length).toBe(pinChanges + 1);
    expect(await fixture.renewer.revoke(certificateThumbprint(orders.raw))).toBe(false);
    expect(await fixture.renewer.revoke('AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')).toBe(false);
  });

  it('L5: a restarted renewer still pins superseded-but-valid leaves, and not the revoked ones', async () => {
    fixture = await startRenewerFixture();
    const superseded = await pinOf(fixture.dir, 'edge');
    await fixture.renewer.renewNow('edge');
    const revoked = await leafCertificate(fixture.dir, 'sts');
    await fixture.renewer.revoke(certificateThumbprint(revoked.raw));
    await fixture.renewer.stop();
    const before = await pinsOnDisk(fixture.dir);
    const restarted = await fixture.restart();
    expect(await pinsOnDisk(fixture.dir)).toEqual(before);
    expect(before).toContain(superseded);
    expect(before).not.toContain(spkiPin(revoked.toString()));
    expect(restarted.status().pins).toBe(before.length);
    expect(await restarted.revoke(certificateThumbprint(revoked.raw))).toBe(false);
  });
});
