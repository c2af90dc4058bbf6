import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { calculateJwkThumbprint } from 'jose';
import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SigningKeyRing } from './signing-key-ring.js';

const RETENTION_S = 360; // seconds

describe('SigningKeyRing', () => {
  let folder: string;
  let file: string;
  let now: number;
  const clock = () => now;

  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'key-ring-'));
    file = join(folder, 'keys', 'auth-keys.json');
    now = 1_800_000_000;
  });

  afterEach(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('starts with one ES256 key whose kid is its RFC 7638 thumbprint', async () => {
    const ring = await SigningKeyRing.open(undefined, RETENTION_S, clock);
    const { kid, jwk } = ring.current;
    expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig', kid, d: expect.any(String) });
    const { kty, crv, x, y } = jwk;
    expect(await calculateJwkThumbprint({ kty, crv, x, y }, 'sha256')).toBe(kid);
  });

  it('persists keys in a 0600 file in a 0700 folder and loads the same key next time', async () => {
    const first = await SigningKeyRing.open(file, RETENTION_S, clock);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(join(folder, 'keys'))).mode & 0o777).toBe(0o700);
    const second = await SigningKeyRing.open(file, RETENTION_S, clock);
    expect(second.current.kid).toBe(first.current.kid);
  });

  it('refuses a key file that group or others can read', async () => {
    await SigningKeyRing.open(file, RETENTION_S, clock);
    await chmod(file, 0o640);
    await expect(SigningKeyRing.open(file, RETENTION_S, clock)).rejects.toThrow(/mode 640/);
  });

  it('rotation makes a new key current and keeps the old one until its tokens have expired', async () => {
    const ring = await SigningKeyRing.open(file, RETENTION_S, clock);
    const old = ring.current.kid;
    const next = await ring.rotate();
    expect(ring.current.kid).toBe(next.kid);
    expect(ring.keys.map((key) => key.kid)).toEqual([next.kid, old]);
    expect(ring.nextRemovalAt()).toBe(now + RETENTION_S);

    const saved = JSON.parse(await readFile(file, 'utf8')) as { keys: { kid: string; retiredAt?: number }[] };
    expect(saved.keys.map((key) => [key.kid, key.retiredAt])).toEqual([[next.kid, undefined], [old, now]]);

    now += RETENTION_S - 1;
    expect(ring.prune()).toBe(false);
    now += 1;
    expect(ring.prune()).toBe(true);
    expect(ring.keys.map((key) => key.kid)).toEqual([next.kid]);
    expect(ring.nextRemovalAt()).toBeUndefined();
  });

  it('drops retired keys past retention when loading', async () => {
    const ring = await SigningKeyRing.open(file, RETENTION_S, clock);
    await ring.rotate();
    now += RETENTION_S + 1;
    const reloaded = await SigningKeyRing.open(file, RETENTION_S, clock);
    expect(reloaded.keys).toHaveLength(1);
    expect(reloaded.current.kid).toBe(ring.current.kid);
  });
});
