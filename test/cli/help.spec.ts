import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from '@jest/globals';
import { parseInvocation } from '../../apps/mobile/src/cli-arguments.js';
import { parseRevokeArguments } from '../../scripts/nats/revoke-arguments.js';

// Issue 14 item 8: every entry point answers --help and -h with its usage on stdout and exit 0.
// Run as the operator runs them, built (`npm run build` first), with an empty environment beyond
// PATH: help must not need certificates, a broker, a state directory or an issuer.
const run = promisify(execFile);

interface EntryPoint {
  readonly name: string;
  readonly main: string;
  /** A line of the usage that only this entry point prints. */
  readonly usage: RegExp;
}

const ENTRY_POINTS: readonly EntryPoint[] = [
  { name: 'mobile', main: 'dist/apps/mobile/main.js', usage: /^usage: node dist\/apps\/mobile\/main\.js <command>/m },
  { name: 'revoke', main: 'dist/scripts/nats/revoke.js', usage: /^usage: npm run revoke -- \(--sub <user>/m },
  { name: 'bench', main: 'dist/bench/main.js', usage: /^usage: npm run bench/m },
];

async function runBuilt(main: string, args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const path = resolve(main);
  if (!existsSync(path)) throw new Error(`${main} is missing: run npm run build first`);
  try {
    const { stdout, stderr } = await run(process.execPath, [path, ...args], {
      env: { PATH: process.env['PATH'] ?? '' },
      timeout: 30_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

describe('--help on the built entry points', () => {
  for (const entry of ENTRY_POINTS) {
    for (const flag of ['--help', '-h']) {
      it(`${entry.name} ${flag}: usage on stdout, nothing on stderr, exit 0`, async () => {
        const result = await runBuilt(entry.main, [flag]);
        expect(result).toMatchObject({ code: 0, stderr: '' });
        expect(result.stdout).toMatch(entry.usage);
      });
    }
  }

  it('mobile: a mistyped option is still a usage error (exit 64, usage on stderr)', async () => {
    const result = await runBuilt('dist/apps/mobile/main.js', ['status', '--helpp']);
    expect(result.code).toBe(64);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^usage: node dist\/apps\/mobile\/main\.js/m);
  });

  it('revoke: no revocation is a usage error (exit 1, usage on stderr)', async () => {
    const result = await runBuilt('dist/scripts/nats/revoke.js', []);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/usage: npm run revoke/);
  });

  it('bench: an unknown option is a usage error (exit 64) and starts nothing', async () => {
    const result = await runBuilt('dist/bench/main.js', ['--quik']);
    expect(result.code).toBe(64);
    expect(result.stderr).toMatch(/unknown option --quik[\s\S]*usage: npm run bench/);
  });
});

describe('help in the argument parsers', () => {
  it('mobile: --help or -h anywhere, or the help command, asks for help', () => {
    for (const argv of [['--help'], ['-h'], ['help'], ['call', 'http://x', '--help'], ['-h', 'login']]) {
      expect(parseInvocation(argv, {}).command).toEqual({ name: 'help' });
    }
  });

  it('revoke: --help is never "--help needs a value", and nothing given beside it is announced', () => {
    for (const argv of [['--help'], ['-h'], ['--sub', 'alice', '--help'], ['--ttl', '--help']]) {
      expect(parseRevokeArguments(argv)).toEqual({ help: true });
    }
    expect(parseRevokeArguments(['--sub', 'alice', '--ttl', '60'])).toEqual({ revocations: [{ kind: 'sub', value: 'alice' }], ttlSeconds: 60 });
    expect(() => parseRevokeArguments(['--user', 'alice'])).toThrow(/unknown option --user/);
    expect(() => parseRevokeArguments(['--sub'])).toThrow(/--sub needs a value/);
  });
});
