import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/**
 * Issue 14: each entry point of @hybrid-estate/binding loads only what its users install. Walks
 * the modules an entry point loads at run time (the JavaScript TypeScript emits, so type-only
 * imports do not count; dynamic imports are followed only where listed here) and lists the
 * packages they import. An HTTP-only DPoP service (`.`, `./dpop`, `./nest`) must reach none of the
 * NATS side: a static RpcException import in the guard, or a payload hash pulled into the DPoP
 * path, fails here before it fails in a user's app.
 */
const ENTRIES = dirname(fileURLToPath(import.meta.url));
const SOURCE = resolve(ENTRIES, '..');
// reflect-metadata: @peculiar/x509 needs it loaded (certificate paths, H3).
const NATS_SIDE = ['@nats-io/jetstream', '@nats-io/kv', '@nats-io/transport-node', '@peculiar/x509', 'canonicalize', 'reflect-metadata'];
/** What only the Nest skin may import: Nest itself and what Nest's own APIs hand out (Observables). */
const NEST_ONLY = /^(@nestjs\/|rxjs(\/|$))/;

/** Every import and re-export specifier a source file writes, type-only ones included. */
function specifiersOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\s(?:[^'";]*?\sfrom\s)?['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/gm)].map((match) => (match[1] ?? match[2])!);
}

/** Every .ts file under a folder of src/, specs included. */
function sourcesUnder(folder: string): string[] {
  return readdirSync(join(SOURCE, folder), { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.ts')).map((name) => join(SOURCE, folder, name));
}

function packagesLoadedBy(entry: string): Set<string> {
  const packages = new Set<string>();
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const output = ts.transpileModule(readFileSync(file, 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, experimentalDecorators: true, emitDecoratorMetadata: true },
    }).outputText;
    for (const match of output.matchAll(/^\s*(?:import|export)\s(?:[^'";]*?\sfrom\s)?['"]([^'"]+)['"]/gm)) {
      const specifier = match[1]!;
      if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
      else if (!specifier.startsWith('node:')) packages.add(specifier);
    }
  };
  visit(join(ENTRIES, entry));
  return packages;
}

describe('entry points: what each loads (issue 14)', () => {
  it('`.` and `./dpop` load jose and lru-cache only', () => {
    for (const entry of ['core.ts', 'dpop.ts']) expect([...packagesLoadedBy(entry)].sort()).toEqual(['jose', 'lru-cache']);
  });

  it('`./nest` loads Nest and none of the NATS side; the RPC mapping only through its lazy import', () => {
    expect([...packagesLoadedBy('nest.ts')].sort()).toEqual(['@nestjs/common', '@nestjs/core']);
    for (const name of NATS_SIDE) expect(packagesLoadedBy('nest.ts')).not.toContain(name);
    const guard = readFileSync(join(ENTRIES, '../nest/load-rpc-refusal.ts'), 'utf8');
    expect(guard).toContain("await import('./rpc-refusal.js')");
  });

  it('`./nest/rpc` adds @nestjs/microservices and the NATS client (the ClientNats transport\'s headers); `./hop` brings the NATS side and no Nest', () => {
    expect([...packagesLoadedBy('nest/rpc.ts')].sort()).toEqual(['@nats-io/transport-node', '@nestjs/microservices']);
    const hop = packagesLoadedBy('hop.ts');
    for (const name of ['@nats-io/jetstream', '@peculiar/x509', 'canonicalize']) expect(hop).toContain(name);
    expect([...hop].filter((name) => NEST_ONLY.test(name))).toEqual([]);
    for (const name of hop) expect(['jose', 'lru-cache', ...NATS_SIDE]).toContain(name);
  });
});

describe('nest/ is a leaf (issue 13)', () => {
  const outsideNest = readdirSync(SOURCE, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && entry.name !== 'nest' && entry.name !== 'entries')
    .flatMap((entry) => sourcesUnder(entry.name));

  it('no file outside nest/ imports @nestjs/* or rxjs, specs included', () => {
    expect(outsideNest.length).toBeGreaterThan(100);
    const offending = outsideNest.flatMap((file) => specifiersOf(file).filter((specifier) => NEST_ONLY.test(specifier)).map((specifier) => `${file.slice(SOURCE.length + 1)}: ${specifier}`));
    expect(offending).toEqual([]);
  });

  it('nothing outside nest/ imports from nest/: the core is read, tested and reused without it', () => {
    const offending = outsideNest.flatMap((file) =>
      specifiersOf(file).filter((specifier) => specifier.startsWith('.') && resolve(dirname(file), specifier).startsWith(join(SOURCE, 'nest') + '/')).map((specifier) => `${file.slice(SOURCE.length + 1)}: ${specifier}`));
    expect(offending).toEqual([]);
  });

  it('only the Nest entries (`./nest`, `./nest/rpc`) reach into nest/', () => {
    const entries = sourcesUnder('entries').filter((file) => !file.endsWith('.spec.ts'));
    const reaching = entries.filter((file) => specifiersOf(file).some((specifier) => resolve(dirname(file), specifier).startsWith(join(SOURCE, 'nest') + '/')));
    expect(reaching.map((file) => file.slice(ENTRIES.length + 1)).sort()).toEqual(['nest.ts', 'nest/rpc.ts']);
  });
});
