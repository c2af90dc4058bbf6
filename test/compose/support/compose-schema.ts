/**
 * docker-compose.yml against the Compose Specification's JSON schema (compose-spec.schema.json
 * beside this file, vendored from compose-go; see compose-spec.schema.md), with ajv: what
 * `docker-compose config -q` checks of the file's shape, without a docker-compose binary. The
 * schema cannot see references between parts of the file, so composeReferenceErrors checks those
 * that `config` also refuses: a service depending on one that does not exist, a named volume or a
 * network no top-level entry declares.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';

const SCHEMA_FILE = new URL('./compose-spec.schema.json', import.meta.url);

// strictTypes and strictRequired are lints of how a schema is written (compose's uses union types
// and `required` beside `oneOf`); strictSchema stays on, so an unknown keyword still fails.
const validate = new Ajv2020({ allErrors: true, strict: true, strictTypes: false, strictRequired: false }).compile(
  JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as object,
);

/** Schema violations as `path: message` lines; empty when the document is valid. */
export function composeSchemaErrors(document: unknown): string[] {
  if (validate(document)) return [];
  return (validate.errors ?? []).map(describe);
}

function describe(error: ErrorObject): string {
  const detail = error.params === undefined || Object.keys(error.params).length === 0 ? '' : ` ${JSON.stringify(error.params)}`;
  return `${error.instancePath === '' ? '/' : error.instancePath}: ${error.message ?? error.keyword}${detail}`;
}

interface ComposeReferences {
  readonly services?: Readonly<Record<string, {
    readonly depends_on?: readonly string[] | Readonly<Record<string, unknown>>;
    readonly volumes?: readonly (string | { readonly type?: string; readonly source?: string })[];
    readonly networks?: readonly string[] | Readonly<Record<string, unknown>>;
  }>>;
  readonly volumes?: Readonly<Record<string, unknown>>;
  readonly networks?: Readonly<Record<string, unknown>>;
}

/** References `docker-compose config` resolves and the schema cannot: one line per dangling one. */
export function composeReferenceErrors(document: ComposeReferences): string[] {
  const errors: string[] = [];
  const services = document.services ?? {};
  const volumes = new Set(Object.keys(document.volumes ?? {}));
  const networks = new Set(['default', ...Object.keys(document.networks ?? {})]);
  for (const [name, service] of Object.entries(services)) {
    const dependsOn = Array.isArray(service.depends_on) ? service.depends_on : Object.keys(service.depends_on ?? {});
    for (const target of dependsOn) if (services[target] === undefined) errors.push(`${name}: depends_on names no service "${target}"`);
    for (const entry of service.volumes ?? []) {
      const source = typeof entry === 'string' ? entry.split(':')[0]! : entry.type === undefined || entry.type === 'volume' ? (entry.source ?? '') : '';
      // A host path (./x, /x, ~/x) is a bind mount; anything else names a volume.
      if (source !== '' && !/^[./~]/.test(source) && !volumes.has(source)) errors.push(`${name}: volume "${source}" is not declared`);
    }
    const attached = Array.isArray(service.networks) ? service.networks : Object.keys(service.networks ?? {});
    for (const network of attached) if (!networks.has(network)) errors.push(`${name}: network "${network}" is not declared`);
  }
  return errors;
}

/**
 * `${...}` interpolations that `docker-compose config` would refuse to resolve: compose accepts
 * `$NAME`, `${NAME}`, `${NAME:-default}`, `${NAME-default}`, `${NAME:?error}`, `${NAME?error}`,
 * `${NAME:+other}`, `${NAME+other}` and `$$` for a literal `$`.
 */
export function composeInterpolationErrors(text: string): string[] {
  const errors: string[] = [];
  for (const match of text.matchAll(/\$(\$|\{[^}\n]*\}?|[A-Za-z_][A-Za-z0-9_]*|.?)/g)) {
    const [whole, body] = match;
    if (body === '$' || /^[A-Za-z_]\w*$/.test(body!)) continue;
    if (/^\{[A-Za-z_]\w*((:?[-?+])[^}]*)?\}$/.test(body!)) continue;
    errors.push(`line ${text.slice(0, match.index).split('\n').length}: "${whole}" is not a compose interpolation`);
  }
  return errors;
}
