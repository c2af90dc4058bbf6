import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
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
const NATS_SIDE = ['@nestjs/microservices', '@nats-io/jetstream', '@nats-io/kv', '@nats-io/transport-node', '@peculiar/x509', 'canonicalize', 'reflect-metadata', 'rxjs'];

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
    const guard = readFileSync(join(ENTRIES, '../nest/load-rpc-refusal.ts'), 'utf8');
    expect(guard).toContain("await import('./rpc-refusal.js')");
  });

  it('`./nest/rpc` adds @nestjs/microservices; `./hop` brings the NATS side', () => {
    expect([...packagesLoadedBy('nest/rpc.ts')].sort()).toEqual(['@nestjs/microservices']);
    const hop = packagesLoadedBy('hop.ts');
    for (const name of ['@nats-io/jetstream', '@nats-io/transport-node', '@nestjs/microservices', '@peculiar/x509', 'canonicalize']) expect(hop).toContain(name);
    for (const name of hop) expect(['jose', 'lru-cache', ...NATS_SIDE]).toContain(name);
  });
});
