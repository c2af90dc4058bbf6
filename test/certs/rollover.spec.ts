import { afterEach, describe, expect, it } from '@jest/globals';
import { createPrivateKey } from 'node:crypto';
import { access, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { bundleCertificates, leafCertificate, notAfterMs, notBeforeMs, startRenewerFixture, type ObservedChange, type RenewerFixture } from './renewer-fixture.js';

// SECURITY.md L4: a CA rollover overlaps. The new CA is in the bundle before any leaf is issued
// under it; after the propagation delay every leaf is issued under it at once; the old CA leaves
// the bundle exactly when the last leaf it issued expires. Manual clock, real keys and files.

const LEAVES = ['nats', 'edge', 'sts', 'orders', 'inventory', 'admin'];
const PROPAGATION_MS = 10_000; // milliseconds
let fixture: RenewerFixture | undefined;

afterEach(async () => {
  await fixture?.cleanup();
  fixture = undefined;
});

async function issuers(dir: string): Promise<string[]> {
  return Promise.all(LEAVES.map(async (name) => (await leafCertificate(dir, name)).issuer));
}

/** Every leaf change was reported while ca.crt already held the CA that issued it. */
function everyLeafIssuerWasTrusted(changes: readonly ObservedChange[]): boolean {
  return changes.filter((change) => change.kind === 'leaf').every((change) => change.bundle.includes(change.issuer!));
}

describe('CertificateRenewer: CA rollover (L4)', () => {
  it('L4: automatic at half the CA life: trusted first, issues after the propagation delay, the old CA leaves when its last leaf expires', async () => {
    fixture = await startRenewerFixture({ caTtlSeconds: 600, caRolloverFraction: 0.5, bundlePropagationSeconds: PROPAGATION_MS / 1_000 });
    const { dir, renewer } = fixture;
    const [oldCa] = await bundleCertificates(dir);
    const rolloverAt = notBeforeMs(oldCa!) + 330_000; // half of 660 s (600 s and a minute backdated)
    expect(renewer.status().rolloverAt).toEqual(new Date(rolloverAt));
    await fixture.advanceTo(rolloverAt - 1);
    expect(await bundleCertificates(dir)).toHaveLength(1);

    // 1. The bundle gains the new CA; nothing is issued under it yet.
    await fixture.advanceTo(rolloverAt);
    const [, newCa] = await bundleCertificates(dir);
    expect(newCa?.ca).toBe(true);
    expect(fixture.changes.filter((change) => change.kind === 'bundle').at(-1)).toMatchObject({ reason: 'ca-added', authorities: 2, atMs: rolloverAt });
    expect((await stat(join(dir, 'ca-next.key'))).mode & 0o777).toBe(0o600);
    expect(newCa!.checkPrivateKey(createPrivateKey(await readFile(join(dir, 'ca-next.key'), 'utf8')))).toBe(true);
    expect(new Set(await issuers(dir))).toEqual(new Set([oldCa!.subject]));
    expect(renewer.status()).toMatchObject({ promoteAt: new Date(rolloverAt + PROPAGATION_MS) });
    expect(renewer.status().authorities.map((authority) => authority.role)).toEqual(['current', 'next']);

    // Renewals due during the propagation delay stay under the old CA.
    await fixture.advanceTo(rolloverAt + PROPAGATION_MS - 1);
    expect(new Set(await issuers(dir))).toEqual(new Set([oldCa!.subject]));

    // 2. Every leaf is issued under the new CA at once, not at its half-life.
    await fixture.advanceTo(rolloverAt + PROPAGATION_MS);
    expect(new Set(await issuers(dir))).toEqual(new Set([newCa!.subject]));
    const reissued = fixture.changes.filter((change) => change.kind === 'leaf' && change.issuer === newCa!.subject);
    expect(reissued.map((change) => change.kind === 'leaf' && change.name)).toEqual(LEAVES);
    expect(new Set(reissued.map((change) => change.atMs))).toEqual(new Set([rolloverAt + PROPAGATION_MS]));
    await expect(access(join(dir, 'ca-next.key'))).rejects.toThrow(/ENOENT/);
    expect(newCa!.checkPrivateKey(createPrivateKey(await readFile(join(dir, 'ca.key'), 'utf8')))).toBe(true);
    expect(renewer.status().authorities.map((authority) => authority.role)).toEqual(['retiring', 'current']);
    expect(renewer.status().caRollovers).toBe(1);

    // 3. The old CA stays exactly until the last leaf it issued has expired.
    const lastOldLeafExpiry = Math.max(...fixture.changes.filter((change) => change.kind === 'leaf' && change.issuer === oldCa!.subject).map((change) => (change.kind === 'leaf' ? change.notAfter.getTime() : 0)));
    expect(lastOldLeafExpiry).toBeGreaterThan(rolloverAt + PROPAGATION_MS);
    expect(renewer.status().authorities[0]?.removeAt).toEqual(new Date(lastOldLeafExpiry));
    await fixture.advanceTo(lastOldLeafExpiry - 1);
    expect(await bundleCertificates(dir)).toHaveLength(2);
    await fixture.advanceTo(lastOldLeafExpiry);
    expect((await bundleCertificates(dir)).map((certificate) => certificate.subject)).toEqual([newCa!.subject]);
    expect(fixture.changes.filter((change) => change.kind === 'bundle').at(-1)).toMatchObject({ reason: 'ca-removed', authorities: 1, atMs: lastOldLeafExpiry });
    expect(everyLeafIssuerWasTrusted(fixture.changes)).toBe(true);

    // And the new CA rolls over at half its own life in turn.
    expect(renewer.status().rolloverAt).toEqual(new Date(notBeforeMs(newCa!) + 330_000));
  }, 60_000); // some 200 real issuances: seconds on a busy 2-core machine

  it('L4: rolloverCa() on demand, and a renewer restarted during the propagation delay resumes it', async () => {
    fixture = await startRenewerFixture({ caTtlSeconds: 600, autoCaRollover: false, bundlePropagationSeconds: PROPAGATION_MS / 1_000 });
    const started = fixture.clock.now();
    expect(fixture.renewer.status().rolloverAt).toBeUndefined();
    await fixture.renewer.rolloverCa();
    const [oldCa, newCa] = await bundleCertificates(fixture.dir);
    expect(newCa).toBeDefined();
    await fixture.advance(4_000);
    await fixture.renewer.stop();
    const restarted = await fixture.restart();
    expect(restarted.status().promoteAt).toEqual(new Date(started + PROPAGATION_MS));
    expect(new Set(await issuers(fixture.dir))).toEqual(new Set([oldCa!.subject]));
    await fixture.advanceTo(started + PROPAGATION_MS);
    expect(new Set(await issuers(fixture.dir))).toEqual(new Set([newCa!.subject]));
    // The restarted renewer knows the old CA's leaves from its ledger and keeps it until they expired.
    const lastOld = Math.max(...fixture.changes.filter((change) => change.kind === 'leaf' && change.issuer === oldCa!.subject).map((change) => (change.kind === 'leaf' ? change.notAfter.getTime() : 0)));
    expect(restarted.status().authorities[0]).toMatchObject({ role: 'retiring', removeAt: new Date(lastOld) });
    await fixture.advanceTo(lastOld);
    expect(await bundleCertificates(fixture.dir)).toHaveLength(1);
    expect(everyLeafIssuerWasTrusted(fixture.changes)).toBe(true);
    expect(notAfterMs(newCa!)).toBeGreaterThan(lastOld);
  }, 30_000);
});
