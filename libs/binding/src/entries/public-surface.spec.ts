import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/**
 * Issue 13: a deliberate public surface, and a README that cannot rot. `src/index.ts` (the
 * repository's `#binding`) lists at most MAX_PUBLIC_NAMES names, by hand, and they are exactly the
 * names the package's entry points export, each from one entry; the README names every entry point
 * and every public name; and every `ts` code block of the README typechecks against the sources,
 * with `@hybrid-estate/binding[/...]` resolved to the entry points.
 */
const ENTRIES = dirname(fileURLToPath(import.meta.url));
const LIBRARY = resolve(ENTRIES, '../..');
const ROOT = resolve(LIBRARY, '../..');
const MAX_PUBLIC_NAMES = 80; // names, values and types counted alike
const PACKAGE = '@hybrid-estate/binding';
const README = readFileSync(join(LIBRARY, 'README.md'), 'utf8');
const MANIFEST = JSON.parse(readFileSync(join(LIBRARY, 'package.json'), 'utf8')) as { exports: Record<string, string | { default: string }> };
const SNIPPET_TIMEOUT_MS = 180_000; // milliseconds: type-checking the library with Nest's and NATS's typings on a busy machine

/** Each package entry point (`@hybrid-estate/binding/dpop`, ...) and its source file. */
function entryPoints(): Map<string, string> {
  const entries = new Map<string, string>();
  for (const [subpath, target] of Object.entries(MANIFEST.exports)) {
    if (subpath === './package.json') continue;
    const built = typeof target === 'string' ? target : target.default;
    const source = built.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts');
    entries.set(subpath === '.' ? PACKAGE : `${PACKAGE}/${subpath.slice(2)}`, join(LIBRARY, source));
  }
  return entries;
}

/** The names a module exports, read from its syntax: `export { a, type B } from`, and declarations. */
function exportedNames(file: string): { names: string[]; star: boolean } {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const names: string[] = [];
  let star = false;
  for (const statement of source.statements) {
    if (ts.isExportDeclaration(statement)) {
      if (statement.exportClause === undefined || !ts.isNamedExports(statement.exportClause)) star = true;
      else names.push(...statement.exportClause.elements.map((element) => element.name.text));
    } else if (ts.canHaveModifiers(statement) && ts.getModifiers(statement)?.some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword)) {
      const declared = (statement as ts.DeclarationStatement).name;
      if (declared !== undefined && ts.isIdentifier(declared)) names.push(declared.text);
      if (ts.isVariableStatement(statement)) {
        for (const declaration of statement.declarationList.declarations) if (ts.isIdentifier(declaration.name)) names.push(declaration.name.text);
      }
    }
  }
  return { names, star };
}

function readmeSnippets(): string[] {
  return [...README.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((match) => match[1]!);
}

/** Type-checks each snippet as an ES module beside the library, with the package's names mapped to the sources. */
function snippetDiagnostics(snippets: readonly string[]): string[] {
  const base = ts.readConfigFile(join(ROOT, 'tsconfig.base.json'), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(base.config, ts.sys, ROOT);
  Object.assign(options, {
    noEmit: true,
    skipLibCheck: true,
    baseUrl: ROOT,
    paths: { [PACKAGE]: [join(LIBRARY, 'src/entries/core.ts')], [`${PACKAGE}/*`]: [join(LIBRARY, 'src/entries/*.ts')] },
  } satisfies ts.CompilerOptions);
  const files = new Map(snippets.map((text, index) => [join(LIBRARY, `readme-snippet-${index + 1}.ts`).replaceAll('\\', '/'), text]));
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, language, onError, create) => {
    const text = files.get(name);
    return text === undefined ? getSourceFile(name, language, onError, create) : ts.createSourceFile(name, text, language, true);
  };
  host.fileExists = (name) => files.has(name) || ts.sys.fileExists(name);
  host.readFile = (name) => files.get(name) ?? ts.sys.readFile(name);
  const program = ts.createProgram([...files.keys()], options, host);
  return [...files.keys()].flatMap((name) => {
    const file = program.getSourceFile(name)!;
    return [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)].map((diagnostic) => {
      const { line } = file.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
      return `${name.slice(LIBRARY.length + 1)}:${line + 1}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`;
    });
  });
}

describe('the public surface (issue 13)', () => {
  const index = exportedNames(join(LIBRARY, 'src/index.ts'));
  const entries = [...entryPoints()].map(([name, file]) => ({ name, ...exportedNames(file) }));

  it(`index.ts lists at most ${MAX_PUBLIC_NAMES} names, by hand, each once`, () => {
    expect(index.star).toBe(false);
    expect(index.names.length).toBeLessThanOrEqual(MAX_PUBLIC_NAMES);
    expect(index.names.length).toBe(new Set(index.names).size);
  });

  it('the entry points export exactly the names of index.ts, each from one entry, none by `export *`', () => {
    for (const entry of entries) expect({ entry: entry.name, star: entry.star }).toEqual({ entry: entry.name, star: false });
    const fromEntries = entries.flatMap((entry) => entry.names);
    expect(fromEntries.length).toBe(new Set(fromEntries).size);
    expect([...fromEntries].sort()).toEqual([...index.names].sort());
  });

  it('the README names every entry point and every public name', () => {
    for (const entry of entries) expect({ entry: entry.name, named: README.includes(`\`${entry.name}\``) }).toEqual({ entry: entry.name, named: true });
    const unnamed = index.names.filter((name) => !new RegExp(`\\b${name}\\b`).test(README));
    expect(unnamed).toEqual([]);
  });

  it('every ts block of the README typechecks against the entry points', () => {
    const snippets = readmeSnippets();
    // One example at least per entry point: each is imported by some block.
    for (const entry of entries) expect({ entry: entry.name, used: snippets.some((text) => text.includes(`from '${entry.name}'`)) }).toEqual({ entry: entry.name, used: true });
    expect(snippetDiagnostics(snippets)).toEqual([]);
  }, SNIPPET_TIMEOUT_MS);
});
