import { afterEach, describe, expect, it } from '@jest/globals';
import { X509Certificate } from 'node:crypto';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ESTATE_IDENTITIES, spiffeIdOf } from '#estate';
import { certificateThumbprint } from '../../certs/spki-pin.js';
import { createCertificateAuthority, issueCertificate, loadCertificateAuthority } from '../../certs/pki.js';
import { halfLife } from '../../certs/lifetime.js';
import { leafCertificate, notAfterMs, notBeforeMs, pairMatches, startRenewerFixture, type RenewerFixture } from './renewer-fixture.js';

// SECURITY.md L1: short-lived workload certificates renewed at half-life by rewriting files,
// driven by a manual clock (the renewer's injectable clock): real keys, real files.

const LEAVES = ['nats', ...ESTATE_IDENTITIES];
let fixture: RenewerFixture | undefined;

afterEach(async () => {
  await fixture?.cleanup();
  fixture = undefined;
});

function leafChanges(f: RenewerFixture, name: string) {
  return f.changes.filter((change) => change.kind === 'leaf' && change.name === name);
}

describe('CertificateRenewer: issuance (L1)', () => {
  it('L1: an empty folder gets a CA, the broker leaf and one client leaf per identity, with today\'s SANs, keys 0600', async () => {
    fixture = await startRenewerFixture();
    const { dir } = fixture;
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    for (const name of LEAVES) {
      expect((await stat(join(dir, `${name}.key`))).mode & 0o777).toBe(0o600);
      expect(await pairMatches(dir, name)).toBe(true);
    }
    expect((await stat(join(dir, 'ca.key'))).mode & 0o777).toBe(0o600);
    for (const identity of ESTATE_IDENTITIES) {
      const leaf = await leafCertificate(dir, identity);
      expect(leaf.subjectAltName).toBe(`URI:${spiffeIdOf(identity)}`);
      expect(leaf.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    }
    const broker = await leafCertificate(dir, 'nats');
    expect(broker.subjectAltName).toBe('DNS:localhost, DNS:nats, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    expect(broker.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    const ca = new X509Certificate(await readFile(join(dir, 'ca.crt')));
    expect(broker.checkIssued(ca) && broker.verify(ca.publicKey)).toBe(true);
    // Reported: the bundle, then per client leaf its pins before the leaf itself.
    expect(fixture.changes[0]).toMatchObject({ kind: 'bundle', reason: 'created' });
    expect(fixture.changes.map((change) => (change.kind === 'leaf' ? change.name : change.kind))).toEqual(['bundle', 'nats', ...ESTATE_IDENTITIES.flatMap((identity) => ['pins', identity])]);
  });

  it('L1: a 30 s leaf is backdated 3 s (not a minute) and lives 30 s from issuance', async () => {
    fixture = await startRenewerFixture();
    const orders = await leafCertificate(fixture.dir, 'orders');
    expect(notAfterMs(orders) - fixture.clock.now()).toBe(30_000);
    expect(fixture.clock.now() - notBeforeMs(orders)).toBe(3_000);
    expect(fixture.renewer.status().leaves['orders']).toMatchObject({ notAfter: new Date(notAfterMs(orders)), thumbprint: certificateThumbprint(orders.raw), consecutiveFailures: 0 });
  });

  it('L1: renewed at half-life, again and again, with a new key each time; not a moment before', async () => {
    fixture = await startRenewerFixture();
    const started = fixture.clock.now();
    let previous = await leafCertificate(fixture.dir, 'orders');
    for (let round = 1; round <= 4; round++) {
      const due = halfLife({ notBefore: new Date(notBeforeMs(previous)), notAfter: new Date(notAfterMs(previous)) });
      expect(fixture.renewer.status().leaves['orders']?.nextRenewal).toEqual(new Date(due));
      await fixture.advanceTo(due - 1);
      expect(certificateThumbprint((await leafCertificate(fixture.dir, 'orders')).raw)).toBe(certificateThumbprint(previous.raw));
      await fixture.advanceTo(due);
      const renewed = await leafCertificate(fixture.dir, 'orders');
      expect(certificateThumbprint(renewed.raw)).not.toBe(certificateThumbprint(previous.raw));
      expect(renewed.publicKey.equals(previous.publicKey)).toBe(false);
      // X.509 times are whole seconds: the window is counted from the second the renewal ran in.
      expect(notAfterMs(renewed)).toBe(Math.floor(due / 1_000) * 1_000 + 30_000);
      expect(await pairMatches(fixture.dir, 'orders')).toBe(true);
      previous = renewed;
    }
    // 13.5 s after issuance (half of 33 s from a notBefore 3 s back); then 13 s, as a renewal at
    // x.5 s issues from the whole second x.
    expect(leafChanges(fixture, 'orders').map((change) => change.atMs - started)).toEqual([0, 13_500, 26_500, 39_500, 52_500]);
    expect(leafChanges(fixture, 'nats')).toHaveLength(5);
    expect(fixture.renewer.status().leaves['orders']?.issued).toBe(5);
  });

  it('L1: a restarted renewer keeps valid leaves and their half-life, and replaces a 7-day leaf from npm run certs', async () => {
    fixture = await startRenewerFixture();
    const before = await leafCertificate(fixture.dir, 'edge');
    await fixture.renewer.stop();
    const ca = await loadCertificateAuthority(await readFile(join(fixture.dir, 'ca.crt'), 'utf8'), await readFile(join(fixture.dir, 'ca.key'), 'utf8'));
    const week = await issueCertificate(ca, { commonName: 'sts', spiffeId: spiffeIdOf('sts'), usage: 'client', notAfter: new Date(fixture.clock.now() + 7 * 86_400_000), now: new Date(fixture.clock.now()) });
    await writeFile(join(fixture.dir, 'sts.key'), week.privateKeyPem, { mode: 0o600 });
    await writeFile(join(fixture.dir, 'sts.crt'), week.certificatePem);
    const foreign = await issueCertificate(await createCertificateAuthority(), { commonName: 'orders', spiffeId: spiffeIdOf('orders'), usage: 'client' });
    await writeFile(join(fixture.dir, 'orders.key'), foreign.privateKeyPem, { mode: 0o600 });
    await writeFile(join(fixture.dir, 'orders.crt'), foreign.certificatePem);
    fixture.changes.length = 0;
    const renewer = await fixture.restart();
    expect(certificateThumbprint((await leafCertificate(fixture.dir, 'edge')).raw)).toBe(certificateThumbprint(before.raw));
    expect(renewer.status().leaves['edge']?.nextRenewal).toEqual(new Date(halfLife({ notBefore: new Date(notBeforeMs(before)), notAfter: new Date(notAfterMs(before)) })));
    expect(notAfterMs(await leafCertificate(fixture.dir, 'sts')) - fixture.clock.now()).toBe(30_000);
    expect(notAfterMs(await leafCertificate(fixture.dir, 'orders')) - fixture.clock.now()).toBe(30_000);
    expect(fixture.changes.filter((change) => change.kind === 'leaf').map((change) => change.kind === 'leaf' && change.name)).toEqual(['sts', 'orders']);
  });

  it('L1: refuses a leaf TTL under 30 s and a CA too short-lived for its leaves to run out before it rolls over', async () => {
    await expect(startRenewerFixture({ leafTtlSeconds: 29 })).rejects.toThrow(/leafTtlSeconds must be a whole number of seconds, at least 30/);
    await expect(startRenewerFixture({ leafTtlSeconds: 3_600, caTtlSeconds: 7_200 })).rejects.toThrow(/caTtlSeconds 7200 is too short/);
  });

  it('writes nothing but whole files: no temporary file is left behind', async () => {
    fixture = await startRenewerFixture();
    await fixture.advance(60_000);
    expect((await readdir(fixture.dir)).filter((file) => file.endsWith('.tmp'))).toEqual([]);
  });
});
