/**
 * Which environment variables an app reads, found in its source the way its configuration reads
 * them: the keys of its zod schema (`NAME: variable.integer(...)`, libs/estate/src/config/env-schema.ts),
 * and the single reads outside a schema: `optionalVariable(env, 'NAME')`, `env['NAME']`,
 * `process.env.NAME`, `process.env['NAME']`. Spec files are left out. A name built at run time
 * (`process.env[name]`) is not found; no app config does that today except the certs CLI's
 * `days(...)` (CERT_VALIDITY_DAYS, CA_VALIDITY_DAYS), which compose does not set.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const READS = [
  /^\s*([A-Z][A-Z0-9_]*)\s*:\s*variable\s*\./gm, // a schema key: NAME: variable.optional(), NAME: variable\n.list(...)
  /\(\s*env\s*,\s*['"]([A-Z][A-Z0-9_]*)['"]/g, // optional(env, 'NAME'), integer(env, 'NAME', ...)
  /\benv\s*\[\s*['"]([A-Z][A-Z0-9_]*)['"]\s*\]/g, // env['NAME'], process.env['NAME']
  /\bprocess\.env\.([A-Z][A-Z0-9_]*)\b/g, // process.env.NAME
];

function sourceFiles(path: string): string[] {
  if (!existsSync(path)) return [];
  if (statSync(path).isFile()) return [path];
  return readdirSync(path, { withFileTypes: true }).flatMap((entry) => {
    const child = join(path, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(child);
    return /\.(ts|mjs)$/.test(entry.name) && !/\.spec\.ts$|\.spec-helper\.ts$|\.fixture\.ts$/.test(entry.name) ? [child] : [];
  });
}

/** Every variable name read in the given files or folders (recursively). */
export function variablesReadIn(...paths: string[]): Set<string> {
  const names = new Set<string>();
  for (const file of paths.flatMap(sourceFiles)) {
    const text = readFileSync(file, 'utf8');
    for (const pattern of READS) for (const match of text.matchAll(pattern)) names.add(match[1]!);
  }
  return names;
}
