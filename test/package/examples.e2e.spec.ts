import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { join } from 'node:path';

/**
 * Issue 14: the package as users take it. Runs examples/verify.mjs: packs libs/binding, installs
 * the tarball into the Nest 12 ESM and Nest 11 CommonJS examples (dependencies from the npm
 * registry), builds each with its own build and runs the request matrix on Express and Fastify
 * (a legitimate request; replayed proof, Bearer downgrade, proof for another URL, token bound to
 * another key: 401 with the DPoP challenge; missing scope: 403), then the copy recipe, then an
 * install without Nest (issue 13: `.`, `./dpop` and `./hop` need no @nestjs/*). About a
 * minute with a warm npm cache; CI runs it here, as part of npm test.
 */
const VERIFY_TIMEOUT_MS = 600_000; // milliseconds: three npm installs from the registry on a cold cache

describe('@hybrid-estate/binding as an installed package (issue 14)', () => {
  it('packs, installs into the Nest 12 ESM and Nest 11 CommonJS examples and passes the request matrix on Express and Fastify', async () => {
    const { code, output } = await runVerify();
    expect({ code, tail: output.split('\n').slice(-40).join('\n') }).toEqual({ code: 0, tail: expect.stringContaining('::: examples verified') });
    for (const app of [
      'nest12-esm express', 'nest12-esm fastify', 'nest11-cjs express', 'nest11-cjs fastify', 'nest11-cjs express, module commonjs (node10)',
      'copy recipe (nest12-esm) express', 'copy recipe (nest12-esm) fastify',
    ]) {
      expect(output).toContain(`::: ${app}\n`);
    }
    expect(output).toContain("::: nest11-cjs with the NATS side's peers");
    // Issue 13: nest/ is a leaf. Without @nestjs/* and rxjs installed, `.`, `./dpop` and `./hop` load.
    expect(output).toContain('::: without Nest (no @nestjs/*, no rxjs installed)');
    expect(output).not.toContain('FAIL');
  }, VERIFY_TIMEOUT_MS);
});

function runVerify(): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(process.cwd(), 'examples/verify.mjs')], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, output }));
  });
}
