import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureNatsServer } from '../../scripts/nats/ensure-nats-server.js';
import { locateNatsServer, type FindNatsServerOptions } from '../../scripts/nats/find-nats-server.js';
import { NatsServerBuildError, NatsServerMissingError, NatsServerVersionError } from '../../scripts/nats/nats-server-errors.js';
import { PINNED_NATS_SERVER_VERSION } from '../../scripts/nats/nats-server-release.js';
import { PROCESS_HOOK_TIMEOUT_MS } from '../../test-support/hook-timeout.js';

// SECURITY.md T5: the scripts run one pinned nats-server release. The finder checks what each
// candidate says with `--version` (real processes: the pinned binary, and tiny scripts that print
// what an older release prints); ensureNatsServer builds the pinned one with `go install` when
// nothing suitable is found. Its `go` here is a stand-in that records its arguments and writes a
// binary, so the test neither downloads nor compiles; the real build runs in `npm test` and CI.

const BUILD_COMMAND = `GOBIN=$PWD/.bin go install github.com/nats-io/nats-server/v2@v${PINNED_NATS_SERVER_VERSION}`;

let work: string;
let pinned: string; // the real pinned binary, as the test process finds it
let counter = 0;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'estate-finder-'));
  pinned = (await ensureNatsServer()).path; // builds it once if this machine has none yet
}, PROCESS_HOOK_TIMEOUT_MS);

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
}, PROCESS_HOOK_TIMEOUT_MS);

async function folder(): Promise<string> {
  const dir = join(work, `f${++counter}`);
  await mkdir(dir, { recursive: true });
  return dir;
}

/** A script that answers `--version` like the given release. */
async function fakeRelease(version: string, dir?: string): Promise<string> {
  const path = join(dir ?? (await folder()), 'nats-server');
  await writeFile(path, `#!/bin/sh\necho "nats-server: v${version}"\n`);
  await chmod(path, 0o755);
  return path;
}

async function linkPinned(dir: string): Promise<string> {
  const path = join(dir, 'nats-server');
  await symlink(pinned, path);
  return path;
}

/** Finder options that see only what a test puts there: an empty project, PATH and well-known folders. */
async function isolated(env: Record<string, string> = {}, more: Pick<FindNatsServerOptions, 'wellKnownDirs'> = {}): Promise<FindNatsServerOptions & { env: Record<string, string>; projectDir: string }> {
  return { env: { PATH: await folder(), ...env }, projectDir: await folder(), wellKnownDirs: more.wellKnownDirs ?? [], warn: () => undefined };
}

describe('T5: a nats-server of another release is refused', () => {
  it('T5: an older binary (2.9.10) in NATS_SERVER_BIN is refused, naming the pinned version and the command that builds it', async () => {
    const old = await fakeRelease('2.9.10');
    const options = await isolated({ NATS_SERVER_BIN: old });
    expect(() => locateNatsServer(options)).toThrow(NatsServerVersionError);
    expect(() => locateNatsServer(options)).toThrow(`nats-server v${PINNED_NATS_SERVER_VERSION} is required`);
    expect(() => locateNatsServer(options)).toThrow(`${old} (v2.9.10)`);
    expect(() => locateNatsServer(options)).toThrow(BUILD_COMMAND);
  });

  it('T5: an older binary on PATH, a newer one and one that prints no version are refused too', async () => {
    const onPath = await folder();
    await fakeRelease('2.9.10', onPath);
    const newer = await folder();
    await fakeRelease('2.16.0', newer);
    const odd = await folder();
    await writeFile(join(odd, 'nats-server'), '#!/bin/sh\necho "something else"\n', { mode: 0o755 });
    const options = await isolated({ PATH: [onPath, newer].join(':') }, { wellKnownDirs: [odd] });
    let refused: unknown;
    try {
      locateNatsServer(options);
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(NatsServerVersionError);
    expect((refused as NatsServerVersionError).refused.map((entry) => entry.version)).toEqual(['2.9.10', '2.16.0', undefined]);
    expect((refused as Error).message).toContain(BUILD_COMMAND);
    expect((refused as Error).message).toContain('(no version)');
  });

  it('T5 override: NATS_SERVER_ALLOW_UNPINNED=1 accepts an older binary with a loud warning', async () => {
    const old = await fakeRelease('2.9.10');
    const warnings: string[] = [];
    const found = locateNatsServer({ ...(await isolated({ NATS_SERVER_BIN: old, NATS_SERVER_ALLOW_UNPINNED: '1' })), warn: (line) => warnings.push(line) });
    expect(found).toEqual({ path: old, version: '2.9.10', source: 'NATS_SERVER_BIN' });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(new RegExp(`^WARNING: running .* \\(v2\\.9\\.10\\), not the pinned nats-server v${PINNED_NATS_SERVER_VERSION.replace(/\./g, '\\.')}, because NATS_SERVER_ALLOW_UNPINNED is set`));
  });

  it('T5: without the override a missing binary names the build command, and an explicit path is never replaced', async () => {
    const options = await isolated({ NATS_SERVER_BIN: join(work, 'no-such-nats-server') });
    expect(() => locateNatsServer(options)).toThrow(NatsServerMissingError);
    expect(() => locateNatsServer(options)).toThrow(BUILD_COMMAND);
    const nothing = await isolated();
    expect(() => locateNatsServer(nothing)).toThrow(/nats-server is missing: none in \.bin\/, on PATH/);
    // ensureNatsServer builds only when nothing was chosen explicitly.
    const old = await isolated({ NATS_SERVER_BIN: await fakeRelease('2.9.10') });
    await expect(ensureNatsServer(old)).rejects.toThrow(NatsServerVersionError);
    expect(existsSync(join(old.projectDir, '.bin'))).toBe(false);
  });
});

describe('T5 legitimate: the pinned release is found in each place, in order', () => {
  it('NATS_SERVER_BIN, then .bin/, then PATH, then the well-known folders', async () => {
    const projectDir = await folder();
    await mkdir(join(projectDir, '.bin'));
    const inProject = await linkPinned(join(projectDir, '.bin'));
    const onPath = await linkPinned(await folder());
    const wellKnown = await folder();
    const inWellKnown = await linkPinned(wellKnown);
    const base = { projectDir, wellKnownDirs: [wellKnown], warn: () => undefined };
    expect(locateNatsServer({ ...base, env: { NATS_SERVER_BIN: pinned, PATH: join(onPath, '..') } })).toEqual({ path: pinned, version: PINNED_NATS_SERVER_VERSION, source: 'NATS_SERVER_BIN' });
    expect(locateNatsServer({ ...base, env: { PATH: join(onPath, '..') } })).toMatchObject({ path: inProject, source: '.bin' });
    expect(locateNatsServer({ ...base, projectDir: await folder(), env: { PATH: join(onPath, '..') } })).toMatchObject({ path: onPath, source: 'PATH' });
    expect(locateNatsServer({ ...base, projectDir: await folder(), env: { PATH: '' } })).toMatchObject({ path: inWellKnown, source: 'well-known folder' });
  });

  it('an older binary earlier in the order is passed over for the pinned one later', async () => {
    const projectDir = await folder();
    await mkdir(join(projectDir, '.bin'));
    await fakeRelease('2.9.10', join(projectDir, '.bin'));
    const onPath = await linkPinned(await folder());
    expect(locateNatsServer({ projectDir, wellKnownDirs: [], env: { PATH: join(onPath, '..') } })).toMatchObject({ path: onPath, version: PINNED_NATS_SERVER_VERSION, source: 'PATH' });
  });
});

describe('T5: ensureNatsServer builds the pinned release when none is suitable', () => {
  /** A `go` that logs its invocation, takes a moment, and installs a binary answering as the pinned release into GOBIN. */
  async function fakeGo(): Promise<{ env: Record<string, string>; invocations: () => Promise<Array<{ args: string[]; gobin: string }>> }> {
    const dir = await folder();
    const log = join(dir, 'go.log');
    await writeFile(
      join(dir, 'go'),
      `#!${process.execPath}
const { appendFileSync, writeFileSync } = require('node:fs');
appendFileSync(process.env.FAKE_GO_LOG, JSON.stringify({ args: process.argv.slice(2), gobin: process.env.GOBIN }) + '\\n');
setTimeout(() => writeFileSync(process.env.GOBIN + '/nats-server', '#!/bin/sh\\necho "nats-server: v${PINNED_NATS_SERVER_VERSION}"\\n', { mode: 0o755 }), 1000);
`,
      { mode: 0o755 },
    );
    const invocations = async () =>
      (existsSync(log) ? await readFile(log, 'utf8') : '').split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as { args: string[]; gobin: string });
    return { env: { PATH: dir, FAKE_GO_LOG: log }, invocations };
  }

  it('T5: concurrent callers (jest workers) build once, into .bin/ through a temporary GOBIN, and say so', async () => {
    const go = await fakeGo();
    const projectDir = await folder();
    const notes: string[] = [];
    const options = { env: go.env, projectDir, wellKnownDirs: [], notify: (line: string) => notes.push(line) };
    const results = await Promise.all([ensureNatsServer(options), ensureNatsServer(options), ensureNatsServer(options)]);
    const target = join(projectDir, '.bin', 'nats-server');
    expect(results.map((result) => result.path)).toEqual([target, target, target]);
    expect(results.map((result) => result.source).sort()).toEqual(['.bin', '.bin', '.bin (built now)']);
    const calls = await go.invocations();
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args).toEqual(['install', `github.com/nats-io/nats-server/v2@v${PINNED_NATS_SERVER_VERSION}`]);
    expect(calls[0]!.gobin.startsWith(join(projectDir, '.bin', '.build-'))).toBe(true);
    expect(notes.some((line) => line.startsWith(`nats-server: no v${PINNED_NATS_SERVER_VERSION} found (none found); building it: GOBIN=`))).toBe(true);
    expect(await readdir(join(projectDir, '.bin'))).toEqual(['nats-server']); // no lock, no temporary GOBIN left
    // Next time it is simply found.
    expect(await ensureNatsServer(options)).toMatchObject({ path: target, source: '.bin' });
    expect(await go.invocations()).toHaveLength(1);
  });

  it('T5: a lock left by a builder that died is taken over', async () => {
    const go = await fakeGo();
    const projectDir = await folder();
    await mkdir(join(projectDir, '.bin'));
    const gone = spawn(process.execPath, ['-e', '']);
    const pid = gone.pid!;
    await new Promise((resolve) => gone.once('exit', resolve));
    await writeFile(join(projectDir, '.bin', '.nats-server-build.lock'), `${pid}\n`);
    const built = await ensureNatsServer({ env: go.env, projectDir, wellKnownDirs: [], notify: () => undefined });
    expect(built.source).toBe('.bin (built now)');
    expect(await go.invocations()).toHaveLength(1);
  });

  it('T5: without Go it fails with Go named as the prerequisite, and leaves no lock behind', async () => {
    const options = await isolated();
    const failure = ensureNatsServer({ ...options, notify: () => undefined });
    await expect(failure).rejects.toThrow(NatsServerBuildError);
    await expect(failure).rejects.toThrow(/^Go is missing: building the pinned nats-server v\S+ needs Go \(1\.26 or later/);
    expect(await readdir(join(options.projectDir, '.bin'))).toEqual([]);
  });
});
