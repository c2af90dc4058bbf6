import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { killOnExit } from '../../scripts/nats/kill-on-exit.js';
import { PROCESS_HOOK_TIMEOUT_MS } from '../../test-support/hook-timeout.js';

const run = promisify(execFile);
/** More children than Node's default of 10 listeners per event, as the bench's three estates have. */
const CHILDREN = 12;
const GONE_DEADLINE_MS = 15_000; // milliseconds for the orphans to be reaped

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function gone(pids: readonly number[]): Promise<number[]> {
  const deadline = Date.now() + GONE_DEADLINE_MS;
  let left = pids.filter(alive);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((done) => setTimeout(done, 100));
    left = left.filter(alive);
  }
  return left;
}

let dir: string;
let child: string;
let driver: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kill-on-exit-'));
  child = join(dir, 'child.mjs');
  driver = join(dir, 'driver.mjs');
  await writeFile(child, "process.stdout.write('ready\\n');\nsetInterval(() => undefined, 60_000);\n");
  // Starts CHILDREN apps that must die with it (killOnExit), prints their pids and the `exit`
  // listeners they added, then exits without stopping any of them.
  await writeFile(
    driver,
    [
      `import { AppProcess } from ${JSON.stringify(pathToFileURL(resolve('dist/scripts/estate/app-process.js')).href)};`,
      `const before = process.listenerCount('exit');`,
      `const apps = [];`,
      `for (let index = 0; index < ${CHILDREN}; index++) {`,
      `  apps.push(await new AppProcess({ name: 'child-' + index, main: ${JSON.stringify(child)}, env: {}, ready: { line: /ready/ }, killOnExit: true }).start(60_000));`,
      `}`,
      `process.stdout.write(JSON.stringify({ pids: apps.map((app) => app.pid), exitListeners: process.listenerCount('exit') - before }) + '\\n');`,
      `process.exit(0);`,
    ].join('\n'),
  );
}, PROCESS_HOOK_TIMEOUT_MS);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('killOnExit: children die with the process that started them, under one exit listener', () => {
  it(`${CHILDREN} apps started with killOnExit: one exit listener, no listener warning, every app killed when the starter exits`, async () => {
    const { stdout, stderr } = await run(process.execPath, [driver], { timeout: 120_000 });
    const { pids, exitListeners } = JSON.parse(stdout.trim().split('\n').at(-1)!) as { pids: number[]; exitListeners: number };
    expect(pids).toHaveLength(CHILDREN);
    expect(exitListeners).toBe(1);
    expect(stderr).not.toMatch(/MaxListenersExceededWarning/);
    expect(await gone(pids)).toEqual([]);
  }, 180_000);

  it('unregistering removes the listener once the last hook is gone; twice is harmless; an unregistered hook never runs', () => {
    const before = process.listenerCount('exit');
    const ran: string[] = [];
    const forget = Array.from({ length: CHILDREN }, (_, index) => killOnExit(() => ran.push(`hook ${index}`)));
    expect(process.listenerCount('exit')).toBe(before + 1);
    forget.slice(1).forEach((unregister) => unregister());
    forget[1]!();
    expect(process.listenerCount('exit')).toBe(before + 1);
    forget[0]!();
    expect(process.listenerCount('exit')).toBe(before);
    expect(ran).toEqual([]);
  });
});
