/**
 * Bundles the page (apps/spa/web/main.ts and oauth4webapi) into dist/apps/spa/public/app.js
 * with esbuild, and copies apps/spa/public/ beside it. Run by `npm run build` after tsc, which
 * builds the server (apps/spa/src) into dist/apps/spa/. esbuild only strips types: the page's
 * code is type-checked by `npm run typecheck` (tsconfig.json covers apps/spa/web too).
 */
import { build } from 'esbuild';
import { cp, mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const out = here('../../dist/apps/spa/public/');

await mkdir(out, { recursive: true });
await cp(here('./public/'), out, { recursive: true });
await build({
  entryPoints: [here('./web/main.ts')],
  outfile: `${out}app.js`,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  // Current evergreen browsers; oauth4webapi itself is ES2022 (private class fields).
  target: ['es2022'],
  minify: true,
  // The server serves app.js and nothing else of the bundle: no separate map or legal file.
  legalComments: 'eof',
  logLevel: 'warning',
});
