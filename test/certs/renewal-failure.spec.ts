import { afterEach, describe, expect, it } from '@jest/globals';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { certificateThumbprint } from '../../certs/spki-pin.js';
import { leafCertificate, pairMatches, startRenewerFixture, temporaryFiles, type RenewerFixture } from './renewer-fixture.js';

// SECURITY.md L6: a failed renewal is retried with backoff and reported (status and log, with
// the reason and never key material), and leaves no half-written file in place. The faults are
// real: a write that fails as the file system would (injected before the write, since as root a
// read-only folder is no fault at all) and a CA key that no longer parses.

let fixture: RenewerFixture | undefined;

afterEach(async () => {
  await fixture?.cleanup();
  fixture = undefined;
});

function accessDenied(path: string): Error {
  return Object.assign(new Error(`EACCES: permission denied, open '${path}'`), { code: 'EACCES' });
}

async function thumbprintOf(dir: string, name: string): Promise<string> {
  return certificateThumbprint((await leafCertificate(dir, name)).raw);
}

describe('CertificateRenewer: failed renewals (L6)', () => {
  it('L6: a write that fails is retried after 1 s, 2 s, 4 s, reported with its reason, and the old pair stays whole', async () => {
    let failing = false;
    fixture = await startRenewerFixture({
      leafTtlSeconds: 60, // retries capped at 6 s
      beforeWrite: (path) => {
        if (failing && path.endsWith('orders.crt')) throw accessDenied(path);
      },
    });
    const { dir, renewer } = fixture;
    const original = await thumbprintOf(dir, 'orders');
    const due = renewer.status().leaves['orders']!.nextRenewal!.getTime();
    failing = true;
    await fixture.advanceTo(due);
    // The key was replaced, the certificate write failed: a reader sees the mismatch and keeps
    // what it has (checkPrivateKey), never a partial file.
    expect(await thumbprintOf(dir, 'orders')).toBe(original);
    expect(await pairMatches(dir, 'orders')).toBe(false);
    expect(await temporaryFiles(dir)).toEqual([]);
    expect(renewer.status().leaves['orders']).toMatchObject({ consecutiveFailures: 1, lastError: expect.stringMatching(/EACCES: permission denied, open '.*orders\.crt'/), nextRenewal: new Date(due + 1_000) });
    await fixture.advance(1_000);
    expect(renewer.status().leaves['orders']).toMatchObject({ consecutiveFailures: 2, nextRenewal: new Date(due + 3_000) });
    await fixture.advance(2_000);
    expect(renewer.status().leaves['orders']).toMatchObject({ consecutiveFailures: 3, nextRenewal: new Date(due + 7_000) });
    // The other leaves are renewed as usual meanwhile.
    expect(renewer.status().leaves['edge']?.consecutiveFailures).toBe(0);
    // A leaf that never landed is not pinned: five identities, and the superseded leaves still valid.
    const pinned = (await readFile(join(dir, 'nats-pins.conf'), 'utf8')).match(/"[0-9a-f]{64}"/g) ?? [];
    expect(pinned).toHaveLength(renewer.status().pins);
    expect(renewer.status().pins).toBeLessThanOrEqual(10);
    failing = false;
    await fixture.advance(4_000);
    expect(renewer.status().leaves['orders']).toMatchObject({ consecutiveFailures: 0, lastRenewal: new Date(due + 7_000), lastError: expect.stringMatching(/EACCES/) });
    expect(await thumbprintOf(dir, 'orders')).not.toBe(original);
    expect(await pairMatches(dir, 'orders')).toBe(true);
    const warnings = fixture.logs.filter((line) => line.startsWith('warn: renewal of orders failed'));
    expect(warnings).toHaveLength(3);
    expect(warnings[0]).toMatch(/attempt 1\): EACCES: permission denied.*; retrying in 1000 ms/);
    expect(fixture.logs.join('\n')).not.toMatch(/PRIVATE KEY|BEGIN/);
  });

  it('L6: the backoff never exceeds a tenth of the leaf lifetime, so a 30 s leaf is retried every 3 s at most', async () => {
    let failing = false;
    fixture = await startRenewerFixture({ beforeWrite: (path) => {
      if (failing && path.endsWith('edge.key')) throw accessDenied(path);
    } });
    const due = fixture.renewer.status().leaves['edge']!.nextRenewal!.getTime();
    failing = true;
    await fixture.advanceTo(due + 1_000 + 2_000 + 3_000 + 3_000);
    expect(fixture.renewer.status().leaves['edge']).toMatchObject({ consecutiveFailures: 5, nextRenewal: new Date(due + 12_000) });
    // The key write failed before the rename: the pair on disk is still the old, matching one.
    expect(await pairMatches(fixture.dir, 'edge')).toBe(true);
    expect(await temporaryFiles(fixture.dir)).toEqual([]);
  });

  it('L6: a CA key that becomes unreadable fails every renewal with a reason naming the file, until it is back', async () => {
    fixture = await startRenewerFixture();
    const { dir, renewer } = fixture;
    const caKey = await readFile(join(dir, 'ca.key'), 'utf8');
    // PEM framing around bytes that are no key ("not a key"); the label is assembled so no
    // tracked file carries a private-key header.
    const label = ['PRIVATE', 'KEY'].join(' ');
    await writeFile(join(dir, 'ca.key'), `-----BEGIN ${label}-----\nbm90IGEga2V5\n-----END ${label}-----\n`, { mode: 0o600 });
    const original = await thumbprintOf(dir, 'inventory');
    const due = renewer.status().leaves['inventory']!.nextRenewal!.getTime();
    await fixture.advanceTo(due);
    expect(renewer.status().leaves['inventory']).toMatchObject({ consecutiveFailures: 1, lastError: 'ca.key is not a usable private key' });
    expect(await thumbprintOf(dir, 'inventory')).toBe(original);
    expect(await pairMatches(dir, 'inventory')).toBe(true);
    await writeFile(join(dir, 'ca.key'), caKey, { mode: 0o600 });
    await fixture.advance(1_000);
    expect(renewer.status().leaves['inventory']).toMatchObject({ consecutiveFailures: 0 });
    expect(await thumbprintOf(dir, 'inventory')).not.toBe(original);
    expect(fixture.logs.join('\n')).not.toContain(caKey.split('\n')[1]);
  });

  it('L6: stop() clears every timer', async () => {
    fixture = await startRenewerFixture();
    expect(fixture.clock.pending()).toBeGreaterThan(6);
    await fixture.renewer.stop();
    expect(fixture.clock.pending()).toBe(0);
  });
});

describe('CertificateRenewer: a CA brought without its key (L6)', () => {
  it('L6: keeps the valid leaves, reports every renewal as failed for want of ca.key, and never trims the bundle', async () => {
    fixture = await startRenewerFixture();
    const { dir } = fixture;
    await fixture.renewer.stop();
    await rm(join(dir, 'ca.key'));
    const bundle = await readFile(join(dir, 'ca.crt'), 'utf8');
    const renewer = await fixture.restart();
    expect(renewer.status().authorities.map((authority) => authority.role)).toEqual(['trusted']);
    expect(renewer.status().authorities[0]?.removeAt).toBeUndefined();
    const due = renewer.status().leaves['admin']!.nextRenewal!.getTime();
    await fixture.advanceTo(due + 60_000);
    expect(renewer.status().leaves['admin']).toMatchObject({ lastError: 'ca.key is missing: only the CA key can sign a renewal' });
    expect(renewer.status().leaves['admin']!.consecutiveFailures).toBeGreaterThan(5);
    expect(await readFile(join(dir, 'ca.crt'), 'utf8')).toBe(bundle);
  });
});
