import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';

// Issue 14 item 4: nest-cli.json lists every app and library with the tsconfig `npm run build`
// (tsc -b tsconfig.build.json) uses, so `nest build <project>` writes the same dist/ layout.
// The build itself is not run here (it would rewrite the shared dist/ under other tests).

interface NestProject {
  readonly type: 'application' | 'library';
  readonly root: string;
  readonly sourceRoot: string;
  readonly entryFile: string;
  readonly compilerOptions: { readonly tsConfigPath: string };
}

const nestCli = JSON.parse(readFileSync('nest-cli.json', 'utf8')) as {
  monorepo: boolean;
  compilerOptions: { builder: string; webpack: boolean; deleteOutDir: boolean };
  projects: Record<string, NestProject>;
};
const buildReferences = (JSON.parse(readFileSync('tsconfig.build.json', 'utf8')) as { references: { path: string }[] }).references.map((reference) => reference.path);
/** tsconfig files have comments; the fields read here never hold `//`. */
const tsconfig = (path: string) => JSON.parse(readFileSync(path, 'utf8').replace(/^\s*\/\/.*$/gm, '')) as { compilerOptions: { outDir: string; rootDir: string } };
const folders = (parent: string) => readdirSync(parent, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name);

describe('nest-cli.json', () => {
  it('is a monorepo built with tsc (no webpack bundle), never deleting the shared dist/', () => {
    expect(nestCli).toMatchObject({ monorepo: true, compilerOptions: { builder: 'tsc', webpack: false, deleteOutDir: false } });
  });

  it('lists every app and library, libraries first so `nest build --all` builds them before the apps that import them', () => {
    const names = Object.keys(nestCli.projects);
    expect(names.slice().sort()).toEqual([...folders('apps'), ...folders('libs')].sort());
    const firstApp = names.findIndex((name) => nestCli.projects[name]!.type === 'application');
    expect(names.slice(0, firstApp).sort()).toEqual(folders('libs').sort());
  });

  it('gives each project the tsconfig of `npm run build`, whose output lands at dist/<apps|libs>/<name>', () => {
    for (const [name, project] of Object.entries(nestCli.projects)) {
      const kind = project.type === 'library' ? 'libs' : 'apps';
      const path = project.compilerOptions.tsConfigPath;
      expect({ name, path }).toEqual({ name, path: `${kind}/${name}/${kind === 'libs' ? 'tsconfig.lib.json' : 'tsconfig.app.json'}` });
      expect(buildReferences).toContain(path);
      const { outDir, rootDir } = tsconfig(path).compilerOptions;
      expect({ name, outDir: join(kind, name, outDir), rootDir }).toEqual({ name, outDir: join('dist', kind, name), rootDir: 'src' });
      expect({ name, root: project.root, sourceRoot: project.sourceRoot }).toEqual({ name, root: `${kind}/${name}`, sourceRoot: `${kind}/${name}/src` });
      expect(existsSync(join(project.sourceRoot, `${project.entryFile}.ts`))).toBe(true);
    }
  });
});
